import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createAuthGuard } from '@bosun/service-kit/auth-guard'
import { guardOptions } from '@bosun/service-kit/browser-origin'
import { connectBus } from '@bosun/service-kit/bus'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import { splitList } from '@bosun/service-kit/env'
import type { Logger } from '@bosun/service-kit/log'
import { startOutboxRelay } from '@bosun/service-kit/outbox'
import { createSecretBox, generateKeyBase64 } from '@bosun/service-kit/secret-box'
import { ensureBootstrapKey } from './api-keys/service'
import { VERSION } from './app'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { AuthDeps } from './deps'
import type { AuthEnv } from './env'
import { loadSigningKeys } from './session/keys'
import { ensureServiceUser } from './users/service'

/** Opens everything auth needs; index.ts and tests share it so tests run what production runs. */
export async function startAuth(env: AuthEnv, logger: Logger) {
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, 'auth', env.DATABASE_URL),
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'auth',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const relay = startOutboxRelay({ database: database as never, bus, logger })
  const box = await createSecretBox(secretKey(env, logger))
  const deps: AuthDeps = {
    env,
    database,
    bus,
    logger,
    guard: createAuthGuard(bus, guardOptions(env)),
    keys: await loadSigningKeys(database, box, logger),
    box,
    adminLogins: splitList(env.BOSUN_ADMIN_LOGINS).map((l) => l.toLowerCase()),
  }
  const consumers = await wireBus(deps)
  if (env.BOSUN_BOOTSTRAP_API_KEY) {
    const admin = await ensureServiceUser(database, 'bosun-bootstrap', 'admin')
    await ensureBootstrapKey(database, admin.id, env.BOSUN_BOOTSTRAP_API_KEY)
  }
  const stop = async () => {
    for (const c of consumers) await c.stop()
    await relay.stop()
    await bus.close()
    database.close()
  }
  return { deps, relay, stop }
}

/** BOSUN_SECRET_KEY; without it a key is generated once into the data folder, readable by this user only. */
export function secretKey(env: AuthEnv, logger: Logger): string {
  if (env.BOSUN_SECRET_KEY) return env.BOSUN_SECRET_KEY
  const file = join(env.BOSUN_DATA_DIR, 'auth-secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const key = generateKeyBase64()
  writeFileSync(file, key, { mode: 0o600 })
  logger.warn('BOSUN_SECRET_KEY is unset: generated one into the data folder', { file })
  return key
}
