import { join } from 'node:path'
import type { Logger } from '@bosun/service-kit/log'
import { openService } from '@bosun/service-kit/service'
import { VERSION } from './app'
import * as schema from './db/schema'
import { consumeOutcomes } from './deliveries/outcomes'
import { startDeliveryPruner } from './deliveries/prune'
import type { WebhooksDeps } from './deps'
import type { WebhooksEnv } from './env'
import { createAdmission } from './ingress/admission'
import { createRecorder } from './ingress/recorder'

/** Opens everything webhooks needs; index.ts and tests share it. */
export async function startWebhooks(env: WebhooksEnv, logger: Logger) {
  const core = await openService({
    name: 'webhooks',
    version: VERSION,
    env,
    logger,
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
    // Events carry whole payloads; marking each sent row would rewrite it, so sent rows go at once.
    outbox: { retainSentMs: 0 },
  })
  const { database, bus, guard, relay } = core
  const deps: WebhooksDeps = {
    env,
    database,
    bus,
    logger,
    guard,
    recorder: createRecorder(database, bus),
    admission: createAdmission({
      deliveries: env.BOSUN_WEBHOOKS_MAX_IN_FLIGHT,
      bytes: env.BOSUN_WEBHOOKS_MAX_IN_FLIGHT_BYTES,
      unsized: env.BOSUN_WEBHOOKS_MAX_UNSIZED,
      slowMs: env.BOSUN_WEBHOOKS_SLOW_BODY_MS,
    }),
  }
  const pruner = startDeliveryPruner(database, env.BOSUN_WEBHOOKS_RETENTION_DAYS, logger)
  const outcomes = await consumeOutcomes(deps)
  const stop = async () => {
    clearInterval(pruner)
    await outcomes.stop()
    await core.close()
  }
  return { deps, relay, stop }
}
