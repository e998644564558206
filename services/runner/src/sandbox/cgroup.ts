import { existsSync, readFileSync } from 'node:fs'
import { cgroupV1 } from './cgroup-v1'
import { cgroupV2 } from './cgroup-v2'

/** What a sandbox's cgroup has seen: limit hits since it started and the CPU time its processes used. */
export type CgroupReading = { pidsHit: boolean; oomKills: number; cpuMs: number }

export type Cgroup = {
  /** The `cgroup.procs` files a process writes its pid to, to join (see the sandbox's `cgroupProcs`). */
  procs: string[]
  read(): CgroupReading
  /** Kills whatever is left in it and removes it. */
  remove(): void
}

export type CgroupLimits = { pids: number; memoryBytes: number }

/** The cgroups this host lets the runner make: which version, and a cgroup per sandbox. */
export type Cgroups = { version: 'v1' | 'v2'; create(name: string, limits: CgroupLimits): Cgroup }

export const CGROUP_ROOT = '/sys/fs/cgroup'

/** The runner's own cgroup v2 path (`0::/path` in /proc/self/cgroup), where a delegated subtree starts. */
function ownV2Path(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'))
  return line?.slice(3) || undefined
}

/**
 * The cgroups the runner may use here, or undefined: cgroup v2 when the host mounts it unified and
 * delegated the runner's cgroup to it (pids and memory available), else cgroup v1 with the pids, memory
 * and cpuacct controllers writable (root on a v1 or hybrid host), else none.
 */
export function detectCgroups(root = CGROUP_ROOT): Cgroups | undefined {
  try {
    if (existsSync(`${root}/cgroup.controllers`)) {
      const own = ownV2Path()
      const v2 = own ? cgroupV2(`${root}${own === '/' ? '' : own}`) : undefined
      if (v2) return { version: 'v2', create: v2 }
    }
  } catch {
    // Not delegated to us; try v1.
  }
  const v1 = cgroupV1(root)
  return v1 ? { version: 'v1', create: v1 } : undefined
}
