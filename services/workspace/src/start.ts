import { join } from 'node:path'
import type { Logger } from '@bosun/service-kit/log'
import { openService } from '@bosun/service-kit/service'
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
  const core = await openService({
    name: 'workspace',
    version: VERSION,
    env,
    logger,
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
    outbox: {},
  })
  const { database, bus, guard, relay } = core
  const cache = createSnapshotCache((id) => snapshot(database, id))
  const hub = createLiveHub(bus, (change) => cache.invalidate(change.workspaceId))
  const deps: WorkspaceDeps = { env, database, bus, logger, guard, hub, cache }
  wireBus(deps)
  const pruner = startChangePruner(database, env.BOSUN_WORKSPACE_CHANGES_RETAIN)
  const stop = async () => {
    clearInterval(pruner)
    deps.hub.close()
    await core.close()
  }
  return { deps, relay, stop }
}
