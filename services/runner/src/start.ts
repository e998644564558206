import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { connectBus } from '@bosun/service-kit/bus'
import { createGitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import { VERSION } from './app'
import type { RunnerDeps } from './deps'
import type { RunnerEnv } from './env'
import { resolveOpencodeBin } from './opencode/process'
import { type RunnerState, runThread } from './run/thread'
import { createWarmPool } from './run/warm'
import { cgroupsAvailable } from './sandbox/cgroup'
import { chooseSandbox } from './sandbox/sandbox'
import { startWorkLoop } from './work/queue'

/** Opens everything the runner needs and starts taking work; index.ts and tests share it. */
export async function startRunner(env: RunnerEnv, logger: Logger) {
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'runner',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const cgroups = cgroupsAvailable()
  const chosen = chooseSandbox(env.BOSUN_RUNNER_SANDBOX)
  const sandbox = cgroups
    ? chosen
    : { ...chosen, note: `${chosen.note}. No cgroup v1 to write here: processes and memory are not limited` }
  logger.info('sandbox', { backend: sandbox.backend, cgroups })
  const deps: RunnerDeps = {
    env,
    bus,
    logger,
    runnerId: env.BOSUN_RUNNER_ID ?? `${hostname()}-${process.pid}`,
    root: resolve(env.BOSUN_RUNNER_DIR ?? join(env.BOSUN_DATA_DIR, 'runner')),
    sandbox,
    opencodeBin: env.OPENCODE_BIN ?? resolveOpencodeBin(),
    limits: {
      pids: env.BOSUN_RUNNER_MAX_PROCESSES,
      memoryBytes: env.BOSUN_RUNNER_MAX_MEMORY_MB * 1024 * 1024,
      turnCpuMs: env.BOSUN_RUNNER_MAX_TURN_CPU_S * 1000,
      turnWallMs: env.BOSUN_RUNNER_MAX_TURN_S * 1000,
      diskBytes: env.BOSUN_RUNNER_MAX_DISK_MB * 1024 * 1024,
    },
    cgroups,
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
    stopping: false,
  }
  const work = await startWorkLoop({
    bus,
    logger,
    concurrency: env.BOSUN_RUNNER_CONCURRENCY,
    stopGraceMs: env.BOSUN_RUNNER_STOP_GRACE_MS,
    ackWaitMs: env.BOSUN_WORK_ACK_WAIT_MS,
    handle: (w, delivery) => runThread(deps, state, w, delivery),
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
