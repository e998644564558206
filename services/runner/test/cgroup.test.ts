import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectCgroups } from '../src/sandbox/cgroup'
import { cgroupV2 } from '../src/sandbox/cgroup-v2'
import { limitsNote } from '../src/sandbox/limits'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('cgroup detection', () => {
  test("uses v2 only where the host mounts it unified, else this host's v1 controllers", () => {
    const found = detectCgroups()
    // This machine is v1 (hybrid: /sys/fs/cgroup is a tmpfs of v1 hierarchies): the v1 path is taken.
    const unified = existsSync('/sys/fs/cgroup/cgroup.controllers')
    expect(found?.version).toBe(unified ? 'v2' : 'v1')
  })

  test('v2: a subtree without pids and memory delegated is not used', () => {
    const base = mkdtempSync(join(tmpdir(), 'bosun-cg2-'))
    dirs.push(base)
    writeFileSync(join(base, 'cgroup.controllers'), 'cpu io\n')
    expect(cgroupV2(base)).toBeUndefined()
  })

  // The kernel is not v2 here, so this checks the files written and read against a folder laid out as v2's.
  test('v2: writes pids.max, memory.max and no swap; reads pids.events, memory.events and cpu.stat', () => {
    const base = mkdtempSync(join(tmpdir(), 'bosun-cg2-'))
    dirs.push(base)
    writeFileSync(join(base, 'cgroup.controllers'), 'cpuset cpu io memory pids\n')
    writeFileSync(join(base, 'cgroup.subtree_control'), 'memory pids\n')
    const create = cgroupV2(base)!
    const cg = create('t1', { pids: 64, memoryBytes: 128 * 1024 * 1024 })
    const dir = join(base, 'sandbox-t1')
    expect(cg.procs).toEqual([join(dir, 'cgroup.procs')])
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('64')
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(128 * 1024 * 1024))
    writeFileSync(join(dir, 'pids.events'), 'max 3\n')
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n')
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n')
    expect(cg.read()).toEqual({ pidsHit: true, oomKills: 1, cpuMs: 2500 })
  })
})

describe("the sandbox note's limits", () => {
  const limits = {
    pids: 512,
    memoryBytes: 2048 * 1024 * 1024,
    turnCpuMs: 900_000,
    turnWallMs: 1_800_000,
    diskBytes: 4096 * 1024 * 1024,
  }
  test('names the cgroup limits with their version where there is one', () => {
    const note = limitsNote(limits, {
      version: 'v1',
      create: () => {
        throw new Error('unused')
      },
    })
    expect(note).toContain('processes (512, cgroup v1 pids)')
    expect(note).toContain('memory (2048 MB, swap included, cgroup v1 memory)')
    expect(note).toContain('CPU time per turn (900 s, cgroup v1 cpuacct)')
    expect(note).toContain('wall time per turn (1800 s)')
    expect(note).not.toContain('NOT enforced')
  })
  test('says which are not enforced without a cgroup', () => {
    const note = limitsNote(limits, undefined)
    expect(note).toContain('limits enforced here: wall time per turn (1800 s), worktree size (4096 MB')
    expect(note).toContain(
      'NOT enforced (no cgroup the runner may write on this host): processes, memory, CPU time per turn',
    )
  })
})
