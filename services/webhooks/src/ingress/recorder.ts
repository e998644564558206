import type { Bus } from '@bosun/service-kit/bus'
import type { Tx } from '@bosun/service-kit/db'
import { sql } from 'drizzle-orm'
import { type DeliveryMeta, enqueueDelivery } from '../bus'
import type * as schema from '../db/schema'
import type { Db } from '../deps'

/** A verified delivery, ready to be written. */
export type DeliveryRecord = {
  meta: DeliveryMeta
  receivedAt: number
  headers: string
  /** zstd of the payload JSON. */
  stored: Uint8Array
  payload: { value: unknown; bytes: number }
  eventId: string
  traceparent?: string
}

type Pending = DeliveryRecord & { resolve(recorded: boolean): void; reject(err: unknown): void }

/** Inserts the row unless the delivery id is known, and its event with it; false for a duplicate. */
async function recordOne(tx: Tx<typeof schema>, bus: Bus, d: DeliveryRecord): Promise<boolean> {
  const inserted = await tx.run(sql`
    insert into deliveries (id, event, action, repository, repository_key, installation_id, received_at,
      headers, payload, payload_bytes, last_event_id)
    values (${d.meta.deliveryId}, ${d.meta.event}, ${d.meta.action}, ${d.meta.repository},
      ${d.meta.repository?.toLowerCase() ?? null}, ${d.meta.installationId}, ${d.receivedAt}, ${d.headers},
      ${d.stored}, ${d.payload.bytes}, ${d.eventId})
    on conflict (id) do nothing`)
  if (inserted.rowsAffected === 0) return false
  await enqueueDelivery(tx, bus, d.meta, d.payload, {
    id: d.eventId,
    redelivery: false,
    traceparent: d.traceparent,
  })
  return true
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
      const results = await database.write(async (tx) => {
        const out: boolean[] = []
        for (const d of batch) out.push(await recordOne(tx, bus, d))
        return out
      })
      for (const [i, d] of batch.entries()) d.resolve(results[i]!)
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err)
      // One delivery that cannot be written must not fail the others: write each alone.
      for (const d of batch) database.write((tx) => recordOne(tx, bus, d)).then(d.resolve, d.reject)
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
