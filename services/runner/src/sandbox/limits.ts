import type { Cgroup, Cgroups } from './cgroup'

/** Per-sandbox limits, from the runner's env (see the README's configuration table). */
export type SandboxLimits = {
  pids: number
  memoryBytes: number
  turnCpuMs: number
  turnWallMs: number
  diskBytes: number
}

export type LimitName = 'processes' | 'memory' | 'turn_cpu' | 'turn_time' | 'disk'

export type Crossed = { limit: LimitName; message: string }

const MB = 1024 * 1024

/**
 * The sandbox note's account of limits: exactly those enforced on this host (processes, memory and CPU time
 * need a cgroup the runner may write; wall time and the worktree's size are watched by the runner itself).
 */
export function limitsNote(limits: SandboxLimits, cgroups: Cgroups | undefined): string {
  const always = `wall time per turn (${limits.turnWallMs / 1000} s), worktree size (${Math.round(limits.diskBytes / MB)} MB; one file: RLIMIT_FSIZE)`
  if (!cgroups)
    return `limits enforced here: ${always}; NOT enforced (no cgroup the runner may write on this host): processes, memory, CPU time per turn`
  const v = `cgroup ${cgroups.version}`
  return (
    `limits enforced here: processes (${limits.pids}, ${v} pids), memory (${Math.round(limits.memoryBytes / MB)} MB, swap included, ${v} memory), ` +
    `CPU time per turn (${limits.turnCpuMs / 1000} s, ${v} ${cgroups.version === 'v1' ? 'cpuacct' : 'cpu.stat'}), ${always}`
  )
}

/** Bytes the worktree takes (apparent sizes, so a sparse file counts as what it claims). */
async function diskUse(dir: string): Promise<number> {
  const proc = Bun.spawn(['du', '-s', '--bytes', dir], { stdout: 'pipe', stderr: 'ignore' })
  const out = await new Response(proc.stdout).text()
  await proc.exited
  return Number(out.split('\t')[0]) || 0
}

/**
 * Watches one sandbox's limits. Processes and memory are enforced by its cgroup (the kernel refuses the
 * fork, the OOM killer ends a process inside) and a single file by RLIMIT_FSIZE; this notices that it
 * happened, and measures what the kernel does not bound per turn: CPU and wall time, the worktree's size.
 */
export function watchLimits(opts: { limits: SandboxLimits; cgroup: Cgroup | undefined; dir: string }) {
  const { limits, cgroup } = opts
  const base = cgroup?.read() ?? { pidsHit: false, oomKills: 0, cpuMs: 0 }
  let turn = { at: Date.now(), cpuMs: base.cpuMs }
  return {
    startTurn() {
      turn = { at: Date.now(), cpuMs: cgroup?.read().cpuMs ?? 0 }
    },
    /** The first limit crossed since the sandbox started (processes, memory, disk) or this turn began. */
    async check(inTurn: boolean): Promise<Crossed | undefined> {
      const now = cgroup?.read()
      if (now?.pidsHit)
        return {
          limit: 'processes',
          message: `The sandbox reached its process limit (${limits.pids} processes and threads, BOSUN_RUNNER_MAX_PROCESSES)`,
        }
      if (now && now.oomKills > base.oomKills)
        return {
          limit: 'memory',
          message: `The sandbox ran out of its memory limit (${Math.round(limits.memoryBytes / MB)} MB, BOSUN_RUNNER_MAX_MEMORY_MB)`,
        }
      if (inTurn && now && now.cpuMs - turn.cpuMs > limits.turnCpuMs)
        return {
          limit: 'turn_cpu',
          message: `The turn used more than its CPU time (${limits.turnCpuMs / 1000} s, BOSUN_RUNNER_MAX_TURN_CPU_S)`,
        }
      if (inTurn && Date.now() - turn.at > limits.turnWallMs)
        return {
          limit: 'turn_time',
          message: `The turn ran longer than its time limit (${limits.turnWallMs / 1000} s, BOSUN_RUNNER_MAX_TURN_S)`,
        }
      if ((await diskUse(opts.dir)) >= limits.diskBytes)
        return {
          limit: 'disk',
          message: `The worktree reached its disk limit (${Math.round(limits.diskBytes / MB)} MB, BOSUN_RUNNER_MAX_DISK_MB)`,
        }
      return undefined
    },
  }
}

export type LimitWatch = ReturnType<typeof watchLimits>
