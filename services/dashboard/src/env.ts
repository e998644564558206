import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { githubAppEnv } from '@bosun/service-kit/github-app'
import { type Static, Type as T } from '@sinclair/typebox'

export const DashboardEnv = T.Object({
  ...commonEnv,
  ...githubAppEnv,
  PORT: T.Integer({ default: 3003, minimum: 0, maximum: 65535 }),
  DATABASE_URL: T.Optional(T.String()),
  /** How long a GitHub read is trusted without a webhook event before it is revalidated (with its ETag). */
  BOSUN_DASHBOARD_MAX_AGE_SECONDS: T.Integer({ default: 300, minimum: 0 }),
  /** An open issue untouched for this long is in the `stale` bucket. */
  BOSUN_DASHBOARD_STALE_DAYS: T.Integer({ default: 30, minimum: 1 }),
  /** Cached GitHub responses kept in memory (least recently used dropped first). */
  BOSUN_DASHBOARD_CACHE_ENTRIES: T.Integer({ default: 20_000, minimum: 100 }),
  /** GitHub requests in flight at once per GitHub identity (a user, or the App installation). */
  BOSUN_DASHBOARD_GITHUB_CONCURRENCY: T.Integer({ default: 8, minimum: 1, maximum: 64 }),
  /** Rate-limit points per identity and resource the dashboard leaves unspent; near it, cached answers are served. */
  BOSUN_DASHBOARD_RATE_RESERVE: T.Integer({ default: 200, minimum: 0 }),
})
export type DashboardEnv = Static<typeof DashboardEnv>

export const readEnv = () => parseEnv(DashboardEnv, process.env)
