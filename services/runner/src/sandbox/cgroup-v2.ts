import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Cgroup, CgroupLimits } from './cgroup'
import { killAll, readNumber, removeDirs } from './cgroup-files'

const NEEDED = ['pids', 'memory'] as const

const controllers = (dir: string) => readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/)

/**
 * cgroup v2 in the subtree delegated to the runner (`base`, its own cgroup: systemd `Delegate=yes`, or a
 * container's private cgroup namespace). v2 puts no process in a cgroup that hands controllers to its
 * children, so the runner first moves itself into the leaf `base/runner`; each sandbox is `base/sandbox-<name>`
 * with `pids.max`, `memory.max` and `memory.swap.max` 0. Undefined when pids or memory is not delegated.
 */
export function cgroupV2(base: string) {
  if (!NEEDED.every((c) => controllers(base).includes(c))) return undefined
  const enabled = () => readFileSync(join(base, 'cgroup.subtree_control'), 'utf8')
  if (!NEEDED.every((c) => enabled().includes(c))) {
    const leaf = join(base, 'runner')
    mkdirSync(leaf, { recursive: true })
    // Every process of the runner's cgroup moves (threads of Bun included), else the subtree stays busy.
    for (const pid of readFileSync(join(base, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean))
      writeFileSync(join(leaf, 'cgroup.procs'), pid)
    writeFileSync(join(base, 'cgroup.subtree_control'), NEEDED.map((c) => `+${c}`).join(' '))
  }
  return (name: string, limits: CgroupLimits): Cgroup => {
    const dir = join(base, `sandbox-${name}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'pids.max'), String(limits.pids))
    writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes))
    // Swap would let the sandbox use more than its memory limit and slow the host down doing so.
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0')
    return {
      procs: [join(dir, 'cgroup.procs')],
      read() {
        try {
          return {
            pidsHit: readNumber(join(dir, 'pids.events'), 'max') > 0,
            oomKills: readNumber(join(dir, 'memory.events'), 'oom_kill'),
            // cpu.stat's usage is kept by every v2 cgroup, with or without the cpu controller.
            cpuMs: readNumber(join(dir, 'cpu.stat'), 'usage_usec') / 1000,
          }
        } catch {
          return { pidsHit: false, oomKills: 0, cpuMs: 0 }
        }
      },
      remove() {
        // cgroup.kill (Linux 5.14) kills atomically, forks in flight included; else one by one.
        try {
          writeFileSync(join(dir, 'cgroup.kill'), '1')
        } catch {
          killAll(join(dir, 'cgroup.procs'))
        }
        removeDirs([dir])
      },
    }
  }
}
