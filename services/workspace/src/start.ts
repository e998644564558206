import { join } from 'node:path'
import { createAuthGuard } from '@bosun/service-kit/auth-guard'
import { guardOptions } from '@bosun/service-kit/browser-origin'
import { connectBus } from '@bosun/service-kit/bus'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import { startOutboxRelay } from '@bosun/service-kit/outbox'
import { VERSION } from './app'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { WorkspaceDeps } from './deps'
import type { WorkspaceEnv } from './env'
import { createLiveHub } from './realtime/hub'
import { createSnapshotCache } from './workspaces/cache'
import { startChangePruner } from './workspaces/prune'
import { snapshot } from './workspaces/service'

/** Opens everything workspace needs; index.ts and tests share it. */
export async function startWorkspace(env: WorkspaceEnv, logger: Logger) {
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, 'workspace', env.DATABASE_URL),
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: 'workspace',
    version: VERSION,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const relay = startOutboxRelay({ database: database as never, bus, logger })
  const cache = createSnapshotCache((id) => snapshot(database, id))
  const hub = createLiveHub(bus, (change) => cache.invalidate(change.workspaceId))
  const deps: WorkspaceDeps = {
    env,
    database,
    bus,
    logger,
    guard: createAuthGuard(bus, guardOptions(env)),
    hub,
    cache,
  }
  wireBus(deps)
  const pruner = startChangePruner(database, env.BOSUN_WORKSPACE_CHANGES_RETAIN)
  const stop = async () => {
    clearInterval(pruner)
    deps.hub.close()
    await relay.stop()
    await bus.close()
    database.close()
  }
  return { deps, relay, stop }
}
