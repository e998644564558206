import { MAX_WEBHOOK_BYTES } from '@bosun/contracts/webhooks'
import { createServiceApp } from '@bosun/service-kit/app'
import { splitList } from '@bosun/service-kit/env'
import { deliveryRoutes } from './deliveries/routes'
import type { WebhooksDeps } from './deps'
import { INGRESS_PATH, ingressRoutes } from './ingress/routes'

export const VERSION = '0.1.0'

export function createApp(deps: WebhooksDeps) {
  return createServiceApp({
    name: 'webhooks',
    version: VERSION,
    description: 'The public GitHub webhook ingress, the delivery log, redelivery.',
    logger: deps.logger,
    extensionOrigins: splitList(deps.env.BOSUN_EXTENSION_ORIGINS),
    ready: { db: () => deps.database.ping(), nats: () => deps.bus.nc.flush() },
    maxBodyBytes: 64 * 1024,
    maxBodyBytesByPath: { [INGRESS_PATH]: MAX_WEBHOOK_BYTES },
    rawBodyPaths: [INGRESS_PATH],
    gauges: { bosun_webhooks_bodies_arriving: () => deps.admission.reading() },
  })
    .use(ingressRoutes(deps))
    .use(deliveryRoutes(deps))
}
