import { createServiceApp } from '@bosun/service-kit/app'
import { splitList } from '@bosun/service-kit/env'
import { adminRoutes } from './admin/routes'
import { bundleRoutes } from './bundle/routes'
import { changesRoutes } from './changes/routes'
import type { AicaDeps } from './deps'
import { permissionRoutes } from './permissions/routes'
import { providerRoutes } from './providers/routes'
import { realtimeRoutes } from './realtime/routes'
import { workspaceFeedRoutes } from './realtime/workspace-feed'
import { relayRoutes } from './relay/routes'
import { reviewRoutes } from './review/routes'
import { threadRoutes } from './threads/routes'
import { usageRoutes } from './usage/routes'
import { worktreeRoutes } from './worktrees/routes'

export const VERSION = '0.1.0'

export function createApp(deps: AicaDeps) {
  return createServiceApp({
    name: 'aica',
    version: VERSION,
    description:
      'AICA: the bundle, worktrees and threads, their realtime and relay sockets, dispatch (manual and automatic), shared provider credentials, provider health probe.',
    logger: deps.logger,
    extensionOrigins: splitList(deps.env.BOSUN_EXTENSION_ORIGINS),
    ready: { db: () => deps.database.ping(), nats: () => deps.bus.nc.flush() },
    maxBodyBytes: 1024 * 1024,
  })
    .use(threadRoutes(deps))
    .use(reviewRoutes(deps))
    .use(worktreeRoutes(deps))
    .use(changesRoutes(deps))
    .use(realtimeRoutes(deps))
    .use(workspaceFeedRoutes(deps))
    .use(relayRoutes(deps))
    .use(bundleRoutes(deps))
    .use(adminRoutes(deps))
    .use(providerRoutes(deps))
    .use(usageRoutes(deps))
    .use(permissionRoutes(deps))
}
