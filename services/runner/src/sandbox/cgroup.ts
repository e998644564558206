import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = '/sys/fs/cgroup'
const CONTROLLERS = ['pids', 'memory', 'cpuacct'] as const

/** What a sandbox's cgroup has seen: limit hits since it started and the CPU time its processes used. */
export type CgroupReading = { pidsHit: boolean; oomKills: number; cpuMs: number }

export type Cgroup = {
  /** The `cgroup.procs` files a process writes its pid to, to join (see the sandbox's `cgroupProcs`). */
  procs: string[]
  read(): CgroupReading
  /** Kills whatever is left in it and removes it. */
  remove(): void
}

/**
 * True when cgroup v1 with the pids, memory and cpuacct controllers is mounted and ours to write (the
 * runner then runs as root on the host or in a container given its cgroups).
 */
export function cgroupsAvailable(): boolean {
  try {
    for (const c of CONTROLLERS) {
      // A v1 hierarchy of its own (cgroup v2 has no such folder; making one there would be a v2 cgroup).
      if (!existsSync(join(ROOT, c, 'cgroup.clone_children'))) return false
      const dir = join(ROOT, c, 'bosun')
      mkdirSync(dir, { recursive: true })
      if (!existsSync(join(dir, 'cgroup.procs'))) return false
    }
    return true
  } catch {
    return false
  }
}

const readNumber = (file: string, key?: string) => {
  const text = readFileSync(file, 'utf8')
  if (!key) return Number(text.trim())
  const line = text.split('\n').find((l) => l.startsWith(`${key} `))
  return line ? Number(line.slice(key.length + 1)) : 0
}

/**
 * A cgroup per sandbox under `bosun/<name>` in each controller: at most `pids` tasks (threads count, and
 * the kernel refuses the fork past it, so a flood stops there) and `memoryBytes` of memory (past it the
 * kernel's OOM killer ends a process inside, never one outside).
 */
export function createCgroup(name: string, limits: { pids: number; memoryBytes: number }): Cgroup {
  const dirs = Object.fromEntries(CONTROLLERS.map((c) => [c, join(ROOT, c, 'bosun', name)])) as Record<
    (typeof CONTROLLERS)[number],
    string
  >
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true })
  writeFileSync(join(dirs.pids, 'pids.max'), String(limits.pids))
  writeFileSync(join(dirs.memory, 'memory.limit_in_bytes'), String(limits.memoryBytes))
  // Swap would let the sandbox use more than its memory limit and slow the host down doing so.
  const memsw = join(dirs.memory, 'memory.memsw.limit_in_bytes')
  if (existsSync(memsw)) writeFileSync(memsw, String(limits.memoryBytes))
  return {
    procs: Object.values(dirs).map((d) => join(d, 'cgroup.procs')),
    read() {
      try {
        return {
          pidsHit: readNumber(join(dirs.pids, 'pids.events'), 'max') > 0,
          oomKills: readNumber(join(dirs.memory, 'memory.oom_control'), 'oom_kill'),
          cpuMs: readNumber(join(dirs.cpuacct, 'cpuacct.usage')) / 1e6,
        }
      } catch {
        return { pidsHit: false, oomKills: 0, cpuMs: 0 }
      }
    },
    remove() {
      for (const dir of Object.values(dirs)) {
        try {
          for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean))
            process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Gone already.
        }
      }
      for (const dir of Object.values(dirs)) {
        try {
          rmdirSync(dir)
        } catch {
          // Still emptying (a killed process not reaped yet); the kernel removes nothing, so retry once.
          setTimeout(() => {
            try {
              rmdirSync(dir)
            } catch {}
          }, 1000)
        }
      }
    },
  }
}
