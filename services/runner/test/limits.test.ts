import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@bosun/testkit/wait'
import { type Cgroup, detectCgroups } from '../src/sandbox/cgroup'
import { type SandboxLimits, watchLimits } from '../src/sandbox/limits'
import { chooseSandbox } from '../src/sandbox/sandbox'

/**
 * Each limit with real processes in a real cgroup (the runner's machine gives it cgroup v1), through the
 * sandbox's own wrapper: the kernel enforces, the watch names what was crossed.
 */
const MB = 1024 * 1024
const generous: SandboxLimits = {
  pids: 10_000,
  memoryBytes: 1024 * MB,
  turnCpuMs: 3_600_000,
  turnWallMs: 3_600_000,
  diskBytes: 1024 * MB,
}
const cleanup: Array<() => void> = []
afterEach(() => {
  for (const f of cleanup.splice(0)) f()
})

function setUp(name: string, limits: SandboxLimits) {
  const cgroups = detectCgroups()
  expect(cgroups).toBeDefined()
  const cgroup: Cgroup = cgroups!.create(`test-${name}-${crypto.randomUUID()}`, {
    pids: limits.pids,
    memoryBytes: limits.memoryBytes,
  })
  const dir = mkdtempSync(join(tmpdir(), 'bosun-limits-'))
  cleanup.push(() => {
    cgroup.remove()
    rmSync(dir, { recursive: true, force: true })
  })
  const sandbox = chooseSandbox('bwrap')
  const run = (script: string) =>
    Bun.spawn(
      sandbox.wrap({
        command: ['/bin/sh', '-c', script],
        writable: dir,
        readable: [],
        env: { PATH: '/usr/bin:/bin' },
        maxFileBytes: limits.diskBytes,
        cgroupProcs: cgroup.procs,
      }),
      { stdout: 'ignore', stderr: 'ignore' },
    )
  return { watch: watchLimits({ limits, cgroup, dir }), run, dir }
}

describe('sandbox limits', () => {
  test('processes: a flood stops at the limit and is named', async () => {
    const { watch, run } = setUp('pids', { ...generous, pids: 40 })
    expect(await watch.check(true)).toBeUndefined()
    await run('for i in $(seq 200); do sleep 30 & done 2>/dev/null; exit 0').exited
    expect(await watch.check(true)).toMatchObject({ limit: 'processes' })
  })

  test('memory: a process past the limit is killed by the kernel and it is named', async () => {
    const { watch, run } = setUp('memory', { ...generous, memoryBytes: 64 * MB })
    // tail keeps a line that never ends in memory.
    const code = await run('head -c 256M /dev/zero | tail -n 1 >/dev/null').exited
    expect(code).not.toBe(0)
    expect(await watch.check(true)).toMatchObject({ limit: 'memory' })
  })

  test('disk: one file stops at the limit, the worktree is named', async () => {
    const { watch, run, dir } = setUp('disk', { ...generous, diskBytes: 8 * MB })
    await run(`head -c 64M /dev/zero > ${dir}/big`).exited
    expect(Bun.file(join(dir, 'big')).size).toBe(8 * MB)
    expect(await watch.check(true)).toMatchObject({ limit: 'disk' })
  })

  test("CPU time of a turn: counted from the turn's start, named once past", async () => {
    const { watch, run } = setUp('cpu', { ...generous, turnCpuMs: 200 })
    const spin = run('while :; do :; done')
    cleanup.push(() => spin.kill(9))
    const crossed = await waitFor(() => watch.check(true), 30_000, 'the CPU limit')
    expect(crossed).toMatchObject({ limit: 'turn_cpu' })
    // Between turns (nothing asked of the agent) the per-turn limits are not checked.
    expect(await watch.check(false)).toBeUndefined()
  })

  test('wall time of a turn: named once past, and a new turn starts the count again', async () => {
    const { watch } = setUp('wall', { ...generous, turnWallMs: 500 })
    expect(await watch.check(true)).toBeUndefined()
    expect(await waitFor(() => watch.check(true), 10_000, 'the wall time limit')).toMatchObject({
      limit: 'turn_time',
    })
    watch.startTurn()
    expect(await watch.check(true)).toBeUndefined()
  })
})
