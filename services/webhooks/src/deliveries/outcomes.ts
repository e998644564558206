import { autoDispatchOutcome } from '@bosun/contracts/aica'
import { consumeEvents } from '@bosun/service-kit/consumer'
import * as schema from '../db/schema'
import type { WebhooksDeps } from '../deps'

/** Keeps what auto-dispatch made of each delivery with it, so the delivery log says why nothing started. */
export function consumeOutcomes(deps: Pick<WebhooksDeps, 'bus' | 'database' | 'logger'>) {
  return consumeEvents({
    bus: deps.bus,
    database: deps.database,
    logger: deps.logger,
    durable: 'webhooks-auto-outcomes',
    def: autoDispatchOutcome,
    handler: async (tx, event) => {
      await tx.insert(schema.deliveryOutcomes).values({
        deliveryId: event.data.deliveryId,
        source: event.source,
        workspaceId: event.data.workspaceId,
        threadId: event.data.threadId,
        reason: event.data.reason,
        at: Date.parse(event.time),
      })
    },
  })
}
