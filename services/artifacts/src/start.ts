import { join } from 'node:path'
import { githubAppFromEnv } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import { openService } from '@bosun/service-kit/service'
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
  const core = await openService({
    name: 'artifacts',
    version: VERSION,
    env,
    logger,
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
    outbox: {},
  })
  const { database, bus, guard, relay } = core
  const deps: ArtifactsDeps = {
    env,
    database,
    bus,
    logger,
    guard,
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
    await core.close()
  }
  return { deps, relay, stop }
}
