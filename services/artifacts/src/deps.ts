import type { AuthGuard } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import type { GitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import type * as schema from './db/schema'
import type { ArtifactsEnv } from './env'
import type { LiveHub } from './live/hub'
import type { Workspaces } from './workspaces/access'

export type Db = Database<typeof schema>

export type ArtifactsDeps = {
  env: ArtifactsEnv
  database: Db
  bus: Bus
  guard: AuthGuard
  logger: Logger
  github: GitHubApp
  workspaces: Workspaces
  live: LiveHub
}
