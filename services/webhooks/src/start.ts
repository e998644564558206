import { join } from 'node:path'
import { createAuthGuard } from '@bosun/service-kit/auth-guard'
import { guardOptions } from '@bosun/service-kit/browser-origin'
import { connectBus } from '@bosun/service-kit/bus'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import { startOutboxRelay } from '@bosun/service-kit/outbox'
import { VERSION } from './app'
import * as schema from './db/schema'
import { consumeOutcomes } from './deliveries/outcomes'
import { startDeliveryPruner } from './deliveries/prune'
import type { WebhooksDeps } from './deps'
import type { WebhooksEnv } from './env'
import { webhookSecrets } from './env'
import { createAdmission } from './ingress/admission'
import { createRecorder } from './ingress/recorder'
import { createVerifier } from './ingress/verifier'

/** Opens everything webhooks needs; index.ts and tests share it. */
export async function startWebhooks(env: WebhooksEnv, logger: Logger) {
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, 'webhooks', env.DATABASE_URL),
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'webhooks',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  // Events carry whole payloads; marking each sent row would rewrite it, so sent rows go at once.
  const relay = startOutboxRelay({ database: database as never, bus, logger, retainSentMs: 0 })
  const deps: WebhooksDeps = {
    env,
    database,
    bus,
    logger,
    guard: createAuthGuard(bus, guardOptions(env)),
    recorder: createRecorder(database, bus),
    admission: createAdmission({
      deliveries: env.BOSUN_WEBHOOKS_MAX_IN_FLIGHT,
      bytes: env.BOSUN_WEBHOOKS_MAX_IN_FLIGHT_BYTES,
      unsized: env.BOSUN_WEBHOOKS_MAX_UNSIZED,
      slowMs: env.BOSUN_WEBHOOKS_SLOW_BODY_MS,
    }),
    verifier: createVerifier(webhookSecrets(env), logger),
  }
  const pruner = startDeliveryPruner(database, env.BOSUN_WEBHOOKS_RETENTION_DAYS, logger)
  const outcomes = await consumeOutcomes(deps)
  const stop = async () => {
    clearInterval(pruner)
    await outcomes.stop()
    deps.verifier.close()
    await relay.stop()
    await bus.close()
    database.close()
  }
  return { deps, relay, stop }
}
