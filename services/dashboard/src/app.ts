import { createServiceApp } from '@bosun/service-kit/app'
import { splitList } from '@bosun/service-kit/env'
import { authorRoutes } from './authors/routes'
import { bucketRoutes } from './buckets/routes'
import type { DashboardDeps } from './deps'
import { liveRoutes } from './live/routes'
import { metaRoutes } from './meta/routes'

export const VERSION = '0.1.0'

export function createApp(deps: DashboardDeps) {
  return createServiceApp({
    name: 'dashboard',
    version: VERSION,
    description:
      'GitHub-backed reads: pull-request and issue buckets with "ready", vetted-author history, issue meta, rate limit. Caches GitHub with ETags and reacts to webhook and workspace events.',
    logger: deps.logger,
    extensionOrigins: splitList(deps.env.BOSUN_EXTENSION_ORIGINS),
    ready: { db: () => deps.database.ping(), nats: () => deps.bus.nc.flush() },
    maxBodyBytes: 16 * 1024,
  })
    .use(bucketRoutes(deps))
    .use(authorRoutes(deps))
    .use(metaRoutes(deps))
    .use(liveRoutes(deps))
}
