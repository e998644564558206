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

type Pending = DeliveryRecord & { resolve(recorded: boolean): void; reject(err: unknown): void }

/** Rows per insert statement, well under SQLite's limit of bound variables (11 a row). */
const ROWS_PER_STATEMENT = 500

/**
 * Inserts the rows whose delivery id is new, as few statements as possible, and enqueues an event for each;
 * returns, per delivery, whether it was recorded (false: a duplicate, including a copy within `batch`).
 */
async function recordAll(tx: Tx<typeof schema>, bus: Bus, batch: DeliveryRecord[]): Promise<boolean[]> {
  const inserted = new Set<string>()
  for (let at = 0; at < batch.length; at += ROWS_PER_STATEMENT) {
    // RETURNING names the rows really inserted: a known id, or a second copy in this statement, is skipped.
    const rows = await tx
      .insert(deliveries)
      .values(batch.slice(at, at + ROWS_PER_STATEMENT).map(deliveryRow))
      .onConflictDoNothing({ target: deliveries.id })
      .returning({ eventId: deliveries.lastEventId })
    for (const row of rows) if (row.eventId) inserted.add(row.eventId)
  }
  const recorded: boolean[] = []
  for (const d of batch) {
    const isNew = inserted.has(d.eventId)
    recorded.push(isNew)
    if (isNew)
      await enqueueDelivery(tx, bus, d.meta, d.payload, {
        id: d.eventId,
        redelivery: false,
        traceparent: d.traceparent,
      })
  }
  return recorded
}

export type Recorder = { record(d: DeliveryRecord): Promise<boolean> }

/**
 * Records the deliveries verified in one event-loop turn with one write job, so one commit (one fsync) serves
 * them all. The local libSQL driver blocks the loop while it commits, so requests never queue up behind a
 * commit in flight; they have to be gathered before it starts. Every caller still hears only after the commit.
 */
export function createRecorder(database: Db, bus: Bus): Recorder {
  let pending: Pending[] = []

  const flush = async () => {
    const batch = pending
    pending = []
    try {
      const results = await database.write((tx) => recordAll(tx, bus, batch))
      for (const [i, d] of batch.entries()) d.resolve(results[i]!)
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err)
      // One delivery that cannot be written must not fail the others: write each alone.
      for (const d of batch)
        database.write((tx) => recordAll(tx, bus, [d])).then(([recorded]) => d.resolve(recorded!), d.reject)
    }
  }

  return {
    record(d) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ ...d, resolve, reject })
        if (pending.length === 1) setImmediate(() => void flush())
      })
    },
  }
}
