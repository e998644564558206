import { RELAY_BACKUP_MAX_BYTES } from '@bosun/contracts/relay'
import { aicaWorkQueueEnv } from '@bosun/service-kit/aica-work-queue'
import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { githubAppEnv } from '@bosun/service-kit/github-app'
import { type Static, Type as T } from '@sinclair/typebox'

export const RunnerEnv = T.Object({
  ...commonEnv,
  ...aicaWorkQueueEnv,
  ...githubAppEnv,
  PORT: T.Integer({ default: 3007, minimum: 0, maximum: 65535 }),
  GITHUB_WEB_URL: T.String({ default: 'https://github.com', description: 'Base of git clone URLs' }),
  BOSUN_AICA_URL: T.String({ default: 'http://127.0.0.1:3005', pattern: '^https?://' }),
  BOSUN_RUNNER_ID: T.Optional(T.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' })),
  /** Threads this runner runs at once; more wait in the work queue for another runner. */
  BOSUN_RUNNER_CONCURRENCY: T.Integer({ default: 2, minimum: 1, maximum: 64 }),
  /** Mirrors and worktrees; defaults to `<BOSUN_DATA_DIR>/runner`. */
  BOSUN_RUNNER_DIR: T.Optional(T.String()),
  BOSUN_RUNNER_SANDBOX: T.Union([T.Literal('auto'), T.Literal('bwrap'), T.Literal('none')], {
    default: 'auto',
    description: 'auto: bubblewrap when it works here, else unsandboxed (said on the thread)',
  }),
  /** On stop, how long running threads get to report that the runner is stopping (tests shorten it). */
  BOSUN_RUNNER_STOP_GRACE_MS: T.Integer({ default: 8000, minimum: 0 }),
  /** An idle thread is completed (and its slot freed) after this long without a prompt. */
  BOSUN_RUNNER_IDLE_MS: T.Integer({ default: 600_000, minimum: 100 }),
  /** A worktree backup's size cap, at most the relay's (tests shrink it to make saving fail). */
  BOSUN_RUNNER_BACKUP_MAX_BYTES: T.Integer({
    default: RELAY_BACKUP_MAX_BYTES,
    minimum: 1,
    maximum: RELAY_BACKUP_MAX_BYTES,
  }),
  /** opencode servers kept started per recently used repository, so a dispatch skips opencode's boot; 0: none. */
  BOSUN_RUNNER_WARM: T.Integer({ default: 1, minimum: 0, maximum: 16 }),
  /** Per sandbox: processes and threads (a fork past it fails), memory (cgroup v1; past it a process inside is killed). */
  BOSUN_RUNNER_MAX_PROCESSES: T.Integer({ default: 512, minimum: 32, maximum: 100_000 }),
  BOSUN_RUNNER_MAX_MEMORY_MB: T.Integer({ default: 2048, minimum: 256 }),
  /** Per turn: CPU seconds of the sandbox's processes and wall seconds; past either the turn ends. */
  BOSUN_RUNNER_MAX_TURN_CPU_S: T.Integer({ default: 900, minimum: 1 }),
  BOSUN_RUNNER_MAX_TURN_S: T.Integer({ default: 1800, minimum: 1 }),
  /** The worktree's size (and so any one file in it, RLIMIT_FSIZE). */
  BOSUN_RUNNER_MAX_DISK_MB: T.Integer({ default: 4096, minimum: 1 }),
  /**
   * The operator's ceiling on egress: hosts (HTTPS, port 443) and `*.domain`. A sandbox reaches the hosts on
   * both this list and its workspace's; none: no egress proxy at all.
   */
  BOSUN_RUNNER_EGRESS_ALLOW: T.String({ default: '' }),
  /** Tests only: `name=127.0.0.1:port,...`, local stand-ins the egress proxy tunnels a name to, unchecked. */
  BOSUN_RUNNER_EGRESS_STANDINS: T.String({ default: '' }),
  OPENCODE_BIN: T.Optional(
    T.String({ description: 'opencode binary; default: the pinned opencode-ai package' }),
  ),
  /** The model provider for threads that bring none (dev: the scripted model). */
  BOSUN_MODEL_BASE_URL: T.Optional(T.String({ pattern: '^https?://' })),
  BOSUN_MODEL_API_KEY: T.Optional(T.String()),
  BOSUN_MODEL_ID: T.String({ default: 'bosun-scripted' }),
})
export type RunnerEnv = Static<typeof RunnerEnv>

export const readEnv = () => parseEnv(RunnerEnv, process.env)
