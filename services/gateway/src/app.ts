import { createServiceApp } from '@bosun/service-kit/app'
import type { Logger } from '@bosun/service-kit/log'
import type { GatewayEnv } from './env'
import { uiRoutes } from './ui/routes'

export function createApp(deps: { env: GatewayEnv; logger: Logger }) {
  return createServiceApp({
    name: 'gateway',
    version: '0.1.0',
    description:
      'One origin for the browser, the extension and API clients: the web UI, and /api/<area> routed to its service.',
    logger: deps.logger,
    extensionOrigins: [],
    ready: {},
  }).use(uiRoutes())
}
