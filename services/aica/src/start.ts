import { join } from 'node:path'
import { ensureAicaWorkQueue } from '@bosun/service-kit/aica-work-queue'
import { githubAppFromEnv } from '@bosun/service-kit/github-app'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { createSecretBox, secretKeyOrFile } from '@bosun/service-kit/secret-box'
import { openService } from '@bosun/service-kit/service'
import { createAccess } from './access/service'
import { VERSION } from './app'
import { wireBus } from './bus'
import * as schema from './db/schema'
import type { AicaDeps } from './deps'
import { createExtraEnvStore } from './dispatch/extra-env'
import { serveHandOver } from './dispatch/hand-over'
import { completeUnheldIdle } from './dispatch/idle'
import { watchLostWork } from './dispatch/lost'
import { pump, workspacesWithQueued } from './dispatch/scheduler'
import type { AicaEnv } from './env'
import { createThreadHub } from './realtime/hub'
import { createRelayRegistry } from './relay/registry'
import { resumePublishing, resumeStalePublishing } from './review/publish'
import { move } from './threads/actions'

const SWEEP_MS = 5000

/** Opens everything aica needs; index.ts and tests share it. */
export async function startAica(env: AicaEnv, logger: Logger) {
  const core = await openService({
    name: 'aica',
    version: VERSION,
    env,
    logger,
    schema,
    migrationsFolder: join(import.meta.dir, '../drizzle'),
    outbox: {},
  })
  const { database, bus, guard, relay } = core
  await ensureAicaWorkQueue(bus, { ackWaitMs: env.BOSUN_WORK_ACK_WAIT_MS })
  const extraEnv = createExtraEnvStore()
  const deps: AicaDeps = {
    env,
    database,
    bus,
    logger,
    guard,
    access: createAccess(bus),
    hub: createThreadHub(bus),
    relays: createRelayRegistry(bus),
    extraEnv,
    github: githubAppFromEnv(env),
    box: await createSecretBox(secretKeyOrFile(env.BOSUN_SECRET_KEY, env.BOSUN_DATA_DIR, 'aica', logger)),
  }
  const stopHandOver = serveHandOver(bus, extraEnv)
  const stopLost = watchLostWork(bus, logger, async (threadId) => {
    await move(deps, threadId, 'failed', {
      code: 'runner_lost',
      message: 'No runner finished starting this thread after several attempts; retry it or dispatch again.',
    })
  })
  const consumers = await wireBus(deps)
  // Approvals an earlier run of aica did not finish publishing (each step repeats safely).
  void resumePublishing(deps).catch((err) => logger.warn('resuming publications failed', errorFields(err)))
  // A slot freed on another instance, or a pump that failed, is picked up here.
  const sweep = setInterval(() => {
    void workspacesWithQueued(deps)
      .then((ids) => Promise.all(ids.map((id) => pump(deps, id))))
      .catch((err) => logger.warn('sweep failed', errorFields(err)))
    void resumeStalePublishing(deps).catch((err) => logger.warn('publish sweep failed', errorFields(err)))
    void completeUnheldIdle(deps).catch((err) => logger.warn('idle sweep failed', errorFields(err)))
  }, SWEEP_MS)
  const stop = async () => {
    clearInterval(sweep)
    for (const c of consumers) await c.stop()
    stopHandOver()
    stopLost()
    deps.hub.close()
    deps.relays.close()
    await core.close()
  }
  return { deps, relay, stop }
}
