import type { AuthGuard } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import type * as schema from './db/schema'
import type { WebhooksEnv } from './env'
import type { Admission } from './ingress/admission'
import type { Recorder } from './ingress/recorder'

export type Db = Database<typeof schema>

export type WebhooksDeps = {
  env: WebhooksEnv
  database: Db
  bus: Bus
  guard: AuthGuard
  logger: Logger
  recorder: Recorder
  admission: Admission
}
