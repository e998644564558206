import type { Bus } from '@bosun/service-kit/bus'
import { statements, type Tx } from '@bosun/service-kit/db'
import { type DeliveryMeta, enqueueDelivery } from '../bus'
import type * as schema from '../db/schema'
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

type Pending = DeliveryRecord & { resolve(recorded: boolean): void; reject(err: unknown): void }

/** Rows per insert statement, well under SQLite's limit of bound variables. */
const ROWS_PER_STATEMENT = 500
const ROW = `(${Array(11).fill('?').join(', ')})`

/**
 * Inserts the rows whose delivery id is new, as few statements as possible, and enqueues an event for each;
 * returns, per delivery, whether it was recorded (false: a duplicate, including a copy within `batch`).
 */
async function recordAll(tx: Tx<typeof schema>, bus: Bus, batch: DeliveryRecord[]): Promise<boolean[]> {
  const inserted = new Set<string>()
  const run = statements(tx)
  for (let at = 0; at < batch.length; at += ROWS_PER_STATEMENT) {
    const rows = batch.slice(at, at + ROWS_PER_STATEMENT)
    // RETURNING names the rows really inserted: a known id, or a second copy in this statement, is skipped.
    // A plain statement: drizzle's query building cost more than the insert on this path.
    const result = await run.execute({
      sql: `insert into deliveries (id, event, action, repository, repository_key, installation_id, received_at,
        headers, payload, payload_bytes, last_event_id)
      values ${rows.map(() => ROW).join(', ')}
      on conflict (id) do nothing
      returning last_event_id`,
      args: rows.flatMap((d) => [
        d.meta.deliveryId,
        d.meta.event,
        d.meta.action,
        d.meta.repository,
        d.meta.repository?.toLowerCase() ?? null,
        d.meta.installationId,
        d.receivedAt,
        d.headers,
        d.payload.zstd,
        d.payload.json.byteLength,
        d.eventId,
      ]),
    })
    for (const row of result.rows) inserted.add(String(row[0]))
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
