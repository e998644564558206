import type { AuthGuard } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import type { AnswerCache } from './buckets/answers'
import type * as schema from './db/schema'
import type { DashboardEnv } from './env'
import type { Budget } from './github/budget'
import type { GitHubClient } from './github/client'
import type { Freshness } from './github/freshness'
import type { PullStore } from './github/pull-store'
import type { Readers } from './github/readers'
import type { DashboardHub } from './live/hub'
import type { MembershipIndex } from './workspaces/memberships'
import type { WorkspaceViews } from './workspaces/views'

export type Db = Database<typeof schema>

export type DashboardDeps = {
  env: DashboardEnv
  database: Db
  bus: Bus
  guard: AuthGuard
  logger: Logger
  gh: GitHubClient
  budget: Budget
  pulls: PullStore
  freshness: Freshness
  readers: Readers
  views: WorkspaceViews
  memberships: MembershipIndex
  answers: AnswerCache
  hub: DashboardHub
}
