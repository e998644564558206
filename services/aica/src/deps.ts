import type { AuthGuard } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import type { GitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import type { SecretBox } from '@bosun/service-kit/secret-box'
import type { Access } from './access/service'
import type * as schema from './db/schema'
import type { ExtraEnvStore } from './dispatch/extra-env'
import type { AicaEnv } from './env'
import type { ThreadHub } from './realtime/hub'
import type { RelayRegistry } from './relay/registry'

export type Db = Database<typeof schema>

export type AicaDeps = {
  env: AicaEnv
  database: Db
  bus: Bus
  guard: AuthGuard
  logger: Logger
  access: Access
  hub: ThreadHub
  relays: RelayRegistry
  extraEnv: ExtraEnvStore
  box: SecretBox
  github: GitHubApp
}
