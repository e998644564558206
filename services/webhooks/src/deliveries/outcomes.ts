import { autoDispatchOutcome } from '@bosun/contracts/aica'
import type { Envelope } from '@bosun/contracts/envelope'
import { consumeEvents } from '@bosun/service-kit/consumer'
import type { Tx } from '@bosun/service-kit/db'
import * as schema from '../db/schema'
import type { WebhooksDeps } from '../deps'

/** Keeps what auto-dispatch made of each delivery with it, so the delivery log says why nothing started. */
export function consumeOutcomes(deps: Pick<WebhooksDeps, 'bus' | 'database' | 'logger'>) {
  return consumeEvents({
    bus: deps.bus,
    database: deps.database as never,
    logger: deps.logger,
    durable: 'webhooks-auto-outcomes',
    def: autoDispatchOutcome,
    // The kit types the transaction loosely (any service's schema); this handler needs webhooks'.
    handler: (async (tx: Tx<typeof schema>, event: Envelope<typeof autoDispatchOutcome.data.static>) => {
      await tx.insert(schema.deliveryOutcomes).values({
        deliveryId: event.data.deliveryId,
        source: event.source,
        workspaceId: event.data.workspaceId,
        threadId: event.data.threadId,
        reason: event.data.reason,
        at: Date.parse(event.time),
      })
    }) as never,
  })
}
