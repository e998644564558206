import { createServiceApp } from '@bosun/service-kit/app'
import type { Logger } from '@bosun/service-kit/log'

export function createApp(deps: { logger: Logger }) {
  return createServiceApp({
    name: 'gateway',
    version: '0.1.0',
    description:
      'One origin for the browser, the extension and API clients: the web app (packages/web, built), and /api/<area> routed to its service.',
    logger: deps.logger,
    extensionOrigins: [],
    ready: {},
  })
}
