import { join } from 'node:path'
import { splitList } from '@bosun/service-kit/env'
import type { Logger } from '@bosun/service-kit/log'
import { createSecretBox, secretKeyOrFile } from '@bosun/service-kit/secret-box'
import { openService } from '@bosun/service-kit/service'
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
  const core = await openService({
    name: 'auth',
    version: VERSION,
    env,
    logger,
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
    outbox: {},
  })
  const { database, bus, guard, relay } = core
  const box = await createSecretBox(secretKeyOrFile(env.BOSUN_SECRET_KEY, env.BOSUN_DATA_DIR, 'auth', logger))
  const deps: AuthDeps = {
    env,
    database,
    bus,
    logger,
    guard,
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
    await core.close()
  }
  return { deps, relay, stop }
}
