import type { AuthGuard } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import type { SecretBox } from '@bosun/service-kit/secret-box'
import type * as schema from './db/schema'
import type { AuthEnv } from './env'
import type { SigningKeys } from './session/keys'

/** What auth's features are given at start; tests build the same from a temp database and a real NATS. */
export type AuthDeps = {
  env: AuthEnv
  database: Database<typeof schema>
  bus: Bus
  guard: AuthGuard
  logger: Logger
  keys: SigningKeys
  box: SecretBox
  adminLogins: string[]
}
