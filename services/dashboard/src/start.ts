import { join } from 'node:path'
import { createAuthGuard } from '@bosun/service-kit/auth-guard'
import { guardOptions } from '@bosun/service-kit/browser-origin'
import { connectBus } from '@bosun/service-kit/bus'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import { githubAppFromEnv } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import { VERSION } from './app'
import { createAnswerCache } from './buckets/answers'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { DashboardDeps } from './deps'
import type { DashboardEnv } from './env'
import { createGitHubClient } from './github/client'
import { createFreshness } from './github/freshness'
import { createReaders } from './github/readers'
import { createMembershipIndex } from './workspaces/memberships'
import { createWorkspaceViews } from './workspaces/views'

/** Longest a whole answer is reused; GitHub freshness itself is governed by events and max age. */
const ANSWER_TTL_MS = 5_000
const SNAPSHOT_TTL_MS = 30_000

/** Opens everything dashboard needs; index.ts and tests share it. */
export async function startDashboard(env: DashboardEnv, logger: Logger) {
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, 'dashboard', env.DATABASE_URL),
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'dashboard',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const freshness = createFreshness()
  const maxAgeMs = env.BOSUN_DASHBOARD_MAX_AGE_SECONDS * 1000
  const memberships = createMembershipIndex(database)
  const deps: DashboardDeps = {
    env,
    database,
    bus,
    logger,
    guard: createAuthGuard(bus, guardOptions(env)),
    freshness,
    gh: createGitHubClient({
      apiUrl: env.GITHUB_API_URL,
      concurrency: env.BOSUN_DASHBOARD_GITHUB_CONCURRENCY,
      maxAgeMs,
      maxEntries: env.BOSUN_DASHBOARD_CACHE_ENTRIES,
      freshness,
    }),
    readers: createReaders(bus, githubAppFromEnv(env)),
    views: createWorkspaceViews(bus, {
      ttlMs: SNAPSHOT_TTL_MS,
      onChange: (c) => {
        const login = (c.data as { login?: unknown } | null)?.login
        if (typeof login === 'string') memberships.forget(login)
      },
    }),
    memberships,
    answers: createAnswerCache(Math.min(ANSWER_TTL_MS, maxAgeMs)),
  }
  const consumers = await wireBus(deps)
  const stop = async () => {
    for (const c of consumers) await c.stop()
    deps.views.close()
    await bus.close()
    database.close()
  }
  return { deps, stop }
}
