import type { AuthGuard } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import type * as schema from './db/schema'
import type { WorkspaceEnv } from './env'
import type { LiveHub } from './realtime/hub'
import type { SnapshotCache } from './workspaces/cache'

export type Db = Database<typeof schema>

export type WorkspaceDeps = {
  env: WorkspaceEnv
  database: Db
  bus: Bus
  guard: AuthGuard
  logger: Logger
  hub: LiveHub
  cache: SnapshotCache
}
