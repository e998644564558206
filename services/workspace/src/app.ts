import { createServiceApp } from '@bosun/service-kit/app'
import { splitList } from '@bosun/service-kit/env'
import { authorRoutes } from './authors/routes'
import type { WorkspaceDeps } from './deps'
import { memberRoutes } from './members/routes'
import { policyRoutes } from './policies/routes'
import { realtimeRoutes } from './realtime/routes'
import { repositoryRoutes } from './repositories/routes'
import { starredRoutes } from './starred/routes'
import { SNAPSHOT_ROUTE, snapshotFastGet, workspaceRoutes } from './workspaces/routes'

export const VERSION = '0.1.0'

export function createApp(deps: WorkspaceDeps) {
  return createServiceApp({
    name: 'workspace',
    version: VERSION,
    description:
      'The WorkspaceRoom: team members, author records, check policies, starred comments and folders, repositories; snapshot and realtime.',
    logger: deps.logger,
    extensionOrigins: splitList(deps.env.BOSUN_EXTENSION_ORIGINS),
    ready: { db: () => deps.database.ping(), nats: () => deps.bus.nc.flush() },
    maxBodyBytes: 256 * 1024,
    fastGets: { [SNAPSHOT_ROUTE]: snapshotFastGet(deps) },
  })
    .use(workspaceRoutes(deps))
    .use(memberRoutes(deps))
    .use(authorRoutes(deps))
    .use(policyRoutes(deps))
    .use(starredRoutes(deps))
    .use(repositoryRoutes(deps))
    .use(realtimeRoutes(deps))
}
