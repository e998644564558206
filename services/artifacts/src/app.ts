import { createServiceApp } from '@bosun/service-kit/app'
import { splitList } from '@bosun/service-kit/env'
import { artifactRoutes } from './artifacts/routes'
import type { ArtifactsDeps } from './deps'
import { liveRoutes } from './live/routes'
import { settingsRoutes } from './settings/routes'

export const VERSION = '0.1.0'

export function createApp(deps: ArtifactsDeps) {
  return createServiceApp({
    name: 'artifacts',
    version: VERSION,
    description: 'Issue briefs and PR decision logs: versions, claim/release, edit, generation through AICA.',
    logger: deps.logger,
    extensionOrigins: splitList(deps.env.BOSUN_EXTENSION_ORIGINS),
    ready: { db: () => deps.database.ping(), nats: () => deps.bus.nc.flush() },
    maxBodyBytes: 512 * 1024,
  })
    .use(settingsRoutes(deps))
    .use(liveRoutes(deps))
    .use(artifactRoutes(deps))
}
