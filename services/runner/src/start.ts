import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { connectBus } from '@bosun/service-kit/bus'
import { createGitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import { VERSION } from './app'
import type { RunnerDeps } from './deps'
import type { RunnerEnv } from './env'
import { resolveOpencodeBin } from './opencode/process'
import { parseCeiling, parseStandins } from './proxy/egress-allow'
import { serveBackupReads } from './read/serve'
import { evictIdle, idleThreads } from './run/evict'
import { type RunnerState, runThread } from './run/thread'
import { createWarmPool } from './run/warm'
import { detectCgroups } from './sandbox/cgroup'
import { limitsNote, type SandboxLimits } from './sandbox/limits'
import { chooseSandbox } from './sandbox/sandbox'
import { startWorkLoop } from './work/queue'

/** Opens everything the runner needs and starts taking work; index.ts and tests share it. */
export async function startRunner(env: RunnerEnv, logger: Logger) {
  const egress = {
    ceiling: parseCeiling(env.BOSUN_RUNNER_EGRESS_ALLOW),
    standins: parseStandins(env.BOSUN_RUNNER_EGRESS_STANDINS),
  }
  const limits: SandboxLimits = {
    pids: env.BOSUN_RUNNER_MAX_PROCESSES,
    memoryBytes: env.BOSUN_RUNNER_MAX_MEMORY_MB * 1024 * 1024,
    turnCpuMs: env.BOSUN_RUNNER_MAX_TURN_CPU_S * 1000,
    turnWallMs: env.BOSUN_RUNNER_MAX_TURN_S * 1000,
    diskBytes: env.BOSUN_RUNNER_MAX_DISK_MB * 1024 * 1024,
  }
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'runner',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const cgroups = detectCgroups()
  const chosen = chooseSandbox(env.BOSUN_RUNNER_SANDBOX)
  const sandbox = { ...chosen, note: `${chosen.note}; ${limitsNote(limits, cgroups)}` }
  logger.info('sandbox', {
    backend: sandbox.backend,
    cgroups: cgroups?.version ?? 'none',
    egress: egress.ceiling,
  })
  if (egress.standins.size)
    logger.warn('BOSUN_RUNNER_EGRESS_STANDINS is set: test stand-ins bypass the egress address check')
  const deps: RunnerDeps = {
    env,
    bus,
    logger,
    runnerId: env.BOSUN_RUNNER_ID ?? `${hostname()}-${process.pid}`,
    root: resolve(env.BOSUN_RUNNER_DIR ?? join(env.BOSUN_DATA_DIR, 'runner')),
    sandbox,
    opencodeBin: env.OPENCODE_BIN ?? resolveOpencodeBin(),
    limits,
    cgroups,
    egress,
    githubApp:
      env.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY
        ? createGitHubApp({
            apiUrl: env.GITHUB_API_URL,
            appId: env.GITHUB_APP_ID,
            privateKey: env.GITHUB_APP_PRIVATE_KEY,
          })
        : undefined,
  }
  const state: RunnerState = {
    hosts: new Map(),
    warm: createWarmPool(deps, env.BOSUN_RUNNER_WARM),
    idle: idleThreads(),
    stopping: false,
  }
  serveBackupReads(deps)
  const work = await startWorkLoop({
    bus,
    logger,
    concurrency: env.BOSUN_RUNNER_CONCURRENCY,
    stopGraceMs: env.BOSUN_RUNNER_STOP_GRACE_MS,
    ackWaitMs: env.BOSUN_WORK_ACK_WAIT_MS,
    handle: (w, delivery) => runThread(deps, state, w, delivery),
    onFull: () => evictIdle(state.idle),
  })
  const stop = async () => {
    state.stopping = true
    await work.stop()
    await state.warm.stop()
    for (const host of state.hosts.values()) await (await host.catch(() => undefined))?.stop()
    await bus.close()
  }
  return { deps, work, stop }
}
