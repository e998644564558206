import { aicaWorkQueueEnv } from '@bosun/service-kit/aica-work-queue'
import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { githubAppEnv } from '@bosun/service-kit/github-app'
import { type Static, Type as T } from '@sinclair/typebox'

export const AicaEnv = T.Object({
  ...commonEnv,
  ...aicaWorkQueueEnv,
  PORT: T.Integer({ default: 3005, minimum: 0, maximum: 65535 }),
  DATABASE_URL: T.Optional(T.String()),
  /** Threads of one workspace that may hold a sandbox at once (starting, running, idle); the rest queue. */
  BOSUN_AICA_CONCURRENCY: T.Integer({ default: 4, minimum: 1, maximum: 1000 }),
  /**
   * An idle thread no runner holds (evicted for waiting work) completes after this long idle, as its runner's
   * BOSUN_RUNNER_IDLE_MS would have completed it.
   */
  BOSUN_AICA_IDLE_MS: T.Integer({ default: 600_000, minimum: 0 }),
  /** Dispatches (POST /api/agent-sessions) one caller may make per minute; then 429. */
  BOSUN_RATE_DISPATCHES_PER_MINUTE: T.Integer({ default: 30, minimum: 1 }),
  /** Lifetime of a relay token; renewed over the relay socket while it is open. */
  BOSUN_AICA_RELAY_TOKEN_TTL_S: T.Integer({ default: 3600, minimum: 10, maximum: 86_400 }),
  /** Defaults of a dispatch envelope that names none. */
  BOSUN_AICA_DEFAULT_AGENT: T.String({ default: 'build' }),
  BOSUN_AICA_DEFAULT_MODEL: T.String({ default: 'scripted' }),
  BOSUN_AICA_DEFAULT_PROVIDER: T.String({ default: 'scripted' }),
  /** 32 bytes, base64: seals the team's shared provider credentials (AES-256-GCM). */
  BOSUN_SECRET_KEY: T.Optional(
    T.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: '32 bytes, base64' }),
  ),
  /** `host:port` pairs outbound probes and callbacks may reach although they are private (tests, dev). */
  BOSUN_OUTBOUND_ALLOW_HOSTS: T.String({ default: '' }),
  ...githubAppEnv,
  /** Base of git URLs for publishing approved changes (`<base>/<owner>/<repo>.git`). */
  GITHUB_WEB_URL: T.String({ default: 'https://github.com', pattern: '^https?://' }),
  /** The author of the commits Bosun pushes for approved changes (the approver is `Co-authored-by`). */
  BOSUN_BOT_NAME: T.String({ default: 'bosun[bot]', minLength: 1 }),
  BOSUN_BOT_EMAIL: T.String({ default: 'bosun[bot]@users.noreply.github.com', minLength: 3 }),
  /** A comment on a Bosun-opened pull request that starts with this word resumes its thread. */
  BOSUN_AICA_PR_TRIGGER: T.String({ default: '/bosun', minLength: 1, maxLength: 50, pattern: '^\\S+$' }),
  /** When true, authors whose record is `trusted` may trigger from PR comments too, not only members. */
  BOSUN_AICA_PR_TRIGGER_TRUSTED: T.Boolean({ default: false }),
})
export type AicaEnv = Static<typeof AicaEnv>

export const readEnv = () => parseEnv(AicaEnv, process.env)
