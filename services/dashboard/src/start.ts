import { join } from 'node:path'
import { githubAppFromEnv } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import { openService } from '@bosun/service-kit/service'
import { VERSION } from './app'
import { createAnswerCache } from './buckets/answers'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { DashboardDeps } from './deps'
import type { DashboardEnv } from './env'
import { createBudget } from './github/budget'
import { createGitHubClient } from './github/client'
import { createFreshness } from './github/freshness'
import { createPullStore } from './github/pull-store'
import { createReaders } from './github/readers'
import { createDashboardHub } from './live/hub'
import { createMembershipIndex } from './workspaces/memberships'
import { createWorkspaceViews } from './workspaces/views'

/** Longest a whole answer is reused; GitHub freshness itself is governed by events and max age. */
const ANSWER_TTL_MS = 5_000
const SNAPSHOT_TTL_MS = 30_000

/** Opens everything dashboard needs; index.ts and tests share it. */
export async function startDashboard(env: DashboardEnv, logger: Logger) {
  const core = await openService({
    name: 'dashboard',
    version: VERSION,
    env,
    logger,
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
    // Dashboard publishes no events: it caches GitHub and follows what others publish.
    outbox: false,
  })
  const { database, bus, guard } = core
  const freshness = createFreshness()
  const maxAgeMs = env.BOSUN_DASHBOARD_MAX_AGE_SECONDS * 1000
  const memberships = createMembershipIndex(database)
  const budget = createBudget({ reserve: env.BOSUN_DASHBOARD_RATE_RESERVE })
  const gh = createGitHubClient({
    apiUrl: env.GITHUB_API_URL,
    concurrency: env.BOSUN_DASHBOARD_GITHUB_CONCURRENCY,
    maxAgeMs,
    maxEntries: env.BOSUN_DASHBOARD_CACHE_ENTRIES,
    freshness,
    budget,
  })
  const hub = createDashboardHub(async (id) =>
    (await deps.views.get(id)).snapshot.repositories.map((r) => r.fullName),
  )
  const deps: DashboardDeps = {
    env,
    database,
    bus,
    logger,
    guard,
    freshness,
    gh,
    budget,
    pulls: createPullStore({
      gh,
      freshness,
      budget,
      maxAgeMs,
      maxEntries: env.BOSUN_DASHBOARD_CACHE_ENTRIES,
    }),
    readers: createReaders(bus, githubAppFromEnv(env)),
    views: createWorkspaceViews(bus, {
      ttlMs: SNAPSHOT_TTL_MS,
      onChange: (c) => {
        const login = (c.data as { login?: unknown } | null)?.login
        if (typeof login === 'string') memberships.forget(login)
        hub.workspaceChanged(c)
      },
    }),
    memberships,
    answers: createAnswerCache(Math.min(ANSWER_TTL_MS, maxAgeMs)),
    hub,
  }
  const consumers = await wireBus(deps)
  const stop = async () => {
    for (const c of consumers) await c.stop()
    deps.views.close()
    await core.close()
  }
  return { deps, stop }
}
