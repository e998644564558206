import { join } from 'node:path'
import { createAuthGuard } from '@bosun/service-kit/auth-guard'
import { connectBus } from '@bosun/service-kit/bus'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import { githubAppFromEnv } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import { startOutboxRelay } from '@bosun/service-kit/outbox'
import { VERSION } from './app'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { ArtifactsDeps } from './deps'
import type { ArtifactsEnv } from './env'
import { failInterrupted, pumpAuto } from './generation/service'
import { createLiveHub } from './live/hub'
import { createWorkspaces } from './workspaces/access'

/** Opens everything artifacts needs; index.ts and tests share it. */
export async function startArtifacts(env: ArtifactsEnv, logger: Logger) {
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, 'artifacts', env.DATABASE_URL),
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'artifacts',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const relay = startOutboxRelay({ database: database as never, bus, logger })
  const deps: ArtifactsDeps = {
    env,
    database,
    bus,
    logger,
    guard: createAuthGuard(bus),
    github: githubAppFromEnv(env),
    workspaces: createWorkspaces(bus),
    live: createLiveHub(database, bus, logger),
  }
  const consumers = await wireBus(deps)
  await failInterrupted(deps)
  void pumpAuto(deps)
  const stop = async () => {
    for (const c of consumers) await c.stop()
    deps.live.close()
    deps.workspaces.close()
    await relay.stop()
    await bus.close()
    database.close()
  }
  return { deps, relay, stop }
}
