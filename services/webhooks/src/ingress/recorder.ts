import type { Bus } from '@bosun/service-kit/bus'
import type { Tx } from '@bosun/service-kit/db'
import { type DeliveryMeta, enqueueDelivery } from '../bus'
import type * as schema from '../db/schema'
import { deliveries } from '../db/schema'
import type { Db } from '../deps'

/** A verified delivery, ready to be written. */
export type DeliveryRecord = {
  meta: DeliveryMeta
  receivedAt: number
  headers: string
  /** The payload JSON (UTF-8) and its zstd, which the delivery row stores. */
  payload: { json: Uint8Array; zstd: Uint8Array }
  eventId: string
  traceparent?: string
}

const deliveryRow = (d: DeliveryRecord): typeof deliveries.$inferInsert => ({
  id: d.meta.deliveryId,
  event: d.meta.event,
  action: d.meta.action,
  repository: d.meta.repository,
  repositoryKey: d.meta.repository?.toLowerCase() ?? null,
  installationId: d.meta.installationId,
  receivedAt: d.receivedAt,
  headers: d.headers,
  payload: Buffer.from(d.payload.zstd.buffer, d.payload.zstd.byteOffset, d.payload.zstd.byteLength),
  payloadBytes: d.payload.json.byteLength,
  lastEventId: d.eventId,
})

/**
 * Inserts the delivery when its id is new and enqueues its event; false when it is a duplicate. Deliveries that
 * arrive together share a commit through the writer's group commit.
 */
async function recordOne(tx: Tx<typeof schema>, bus: Bus, d: DeliveryRecord): Promise<boolean> {
  // RETURNING names the row really inserted: a known id is skipped.
  const [inserted] = await tx
    .insert(deliveries)
    .values(deliveryRow(d))
    .onConflictDoNothing({ target: deliveries.id })
    .returning({ eventId: deliveries.lastEventId })
  if (!inserted) return false
  await enqueueDelivery(tx, bus, d.meta, d.payload, {
    id: d.eventId,
    redelivery: false,
    traceparent: d.traceparent,
  })
  return true
}

export type Recorder = { record(d: DeliveryRecord): Promise<boolean> }

/** Records a verified delivery; the answer comes after the commit that holds it and its event. */
export function createRecorder(database: Db, bus: Bus): Recorder {
  return { record: (d) => database.write((tx) => recordOne(tx, bus, d)) }
}
