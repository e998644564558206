import { createServiceApp } from '@bosun/service-kit/app'
import { splitList } from '@bosun/service-kit/env'
import { apiKeyRoutes } from './api-keys/routes'
import type { AuthDeps } from './deps'
import { oauthRoutes } from './oauth/routes'
import { passkeyRoutes } from './passkeys/routes'
import { sessionRoutes } from './session/routes'
import { userRoutes } from './users/routes'

export const VERSION = '0.1.0'

export function createApp(deps: AuthDeps) {
  return createServiceApp({
    name: 'auth',
    version: VERSION,
    description:
      'Sign-in (GitHub OAuth, passkeys), invitations, sessions (EdDSA JWT), psnip_ API keys and scopes.',
    logger: deps.logger,
    extensionOrigins: splitList(deps.env.BOSUN_EXTENSION_ORIGINS),
    ready: { db: () => deps.database.ping(), nats: () => deps.bus.nc.flush() },
    maxBodyBytes: 64 * 1024,
  })
    .use(oauthRoutes(deps))
    .use(sessionRoutes(deps))
    .use(apiKeyRoutes(deps))
    .use(userRoutes(deps))
    .use(passkeyRoutes(deps))
}
