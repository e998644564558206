import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureAicaWorkQueue } from '@bosun/service-kit/aica-work-queue'
import { createAuthGuard } from '@bosun/service-kit/auth-guard'
import { guardOptions } from '@bosun/service-kit/browser-origin'
import { connectBus } from '@bosun/service-kit/bus'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import { githubAppFromEnv } from '@bosun/service-kit/github-app'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { startOutboxRelay } from '@bosun/service-kit/outbox'
import { createSecretBox, generateKeyBase64 } from '@bosun/service-kit/secret-box'
import { createAccess } from './access/service'
import { VERSION } from './app'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { AicaDeps } from './deps'
import { createExtraEnvStore } from './dispatch/extra-env'
import { serveHandOver } from './dispatch/hand-over'
import { watchLostWork } from './dispatch/lost'
import { pump, workspacesWithQueued } from './dispatch/scheduler'
import type { AicaEnv } from './env'
import { createThreadHub } from './realtime/hub'
import { createRelayRegistry } from './relay/registry'
import { move } from './threads/actions'

const SWEEP_MS = 5000

/** Opens everything aica needs; index.ts and tests share it. */
export async function startAica(env: AicaEnv, logger: Logger) {
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, 'aica', env.DATABASE_URL),
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'aica',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  await ensureAicaWorkQueue(bus)
  const relay = startOutboxRelay({ database: database as never, bus, logger })
  const extraEnv = createExtraEnvStore()
  const deps: AicaDeps = {
    env,
    database,
    bus,
    logger,
    guard: createAuthGuard(bus, guardOptions(env)),
    access: createAccess(bus),
    hub: createThreadHub(bus),
    relays: createRelayRegistry(bus),
    extraEnv,
    github: githubAppFromEnv(env),
    box: await createSecretBox(env.BOSUN_SECRET_KEY ?? secretKeyFile(env.BOSUN_DATA_DIR, logger)),
  }
  const stopHandOver = serveHandOver(bus, extraEnv)
  const stopLost = watchLostWork(bus, logger, async (threadId) => {
    await move(deps, threadId, 'failed', {
      code: 'runner_lost',
      message: 'No runner finished starting this thread after several attempts; retry it or dispatch again.',
    })
  })
  const consumers = await wireBus(deps)
  // A slot freed on another instance, or a pump that failed, is picked up here.
  const sweep = setInterval(() => {
    void workspacesWithQueued(deps)
      .then((ids) => Promise.all(ids.map((id) => pump(deps, id))))
      .catch((err) => logger.warn('sweep failed', errorFields(err)))
  }, SWEEP_MS)
  const stop = async () => {
    clearInterval(sweep)
    for (const c of consumers) await c.stop()
    stopHandOver()
    stopLost()
    deps.hub.close()
    deps.relays.close()
    await relay.stop()
    await bus.close()
    database.close()
  }
  return { deps, relay, stop }
}

/** Without BOSUN_SECRET_KEY a key is generated once into the data folder, readable by this user only. */
function secretKeyFile(dataDir: string, logger: Logger): string {
  const file = join(dataDir, 'aica-secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const key = generateKeyBase64()
  writeFileSync(file, key, { mode: 0o600 })
  logger.warn('BOSUN_SECRET_KEY is unset: generated one into the data folder', { file })
  return key
}
