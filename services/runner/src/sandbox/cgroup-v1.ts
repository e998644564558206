import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Cgroup, CgroupLimits } from './cgroup'
import { killAll, readNumber, removeDirs } from './cgroup-files'

const CONTROLLERS = ['pids', 'memory', 'cpuacct'] as const

/**
 * cgroup v1 with the pids, memory and cpuacct controllers mounted and ours to write (the runner runs as root
 * on the host or in a container given its cgroups): a cgroup per sandbox under `bosun/<name>` in each. At
 * most `pids` tasks (the kernel refuses the fork past it) and `memoryBytes` of memory, swap included (past
 * it the kernel's OOM killer ends a process inside, never one outside). Undefined when not available.
 */
export function cgroupV1(root: string) {
  try {
    for (const c of CONTROLLERS) {
      // A v1 hierarchy of its own (cgroup v2 has no such file; making a folder there would be a v2 cgroup).
      if (!existsSync(join(root, c, 'cgroup.clone_children'))) return undefined
      const dir = join(root, c, 'bosun')
      mkdirSync(dir, { recursive: true })
      if (!existsSync(join(dir, 'cgroup.procs'))) return undefined
    }
  } catch {
    return undefined
  }
  return (name: string, limits: CgroupLimits): Cgroup => {
    const dirs = Object.fromEntries(CONTROLLERS.map((c) => [c, join(root, c, 'bosun', name)])) as Record<
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
        for (const dir of Object.values(dirs)) killAll(join(dir, 'cgroup.procs'))
        removeDirs(Object.values(dirs))
      },
    }
  }
}
