import type { EventDef } from '@bosun/contracts/envelope'
import type { Static } from '@sinclair/typebox'
import { and, isNotNull, lt } from 'drizzle-orm'
import { type Bus, eventHeaders } from './bus'
import { type Database, insertAtCommit, statements } from './db'
import { errorFields, type Logger } from './log'
import { outbox } from './outbox-table'
import { assertValid } from './validate'

/** How long sent rows may wait for a write to carry their marks; far inside the stream's duplicate window. */
const MARK_WITHIN_MS = 50
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** A write's `tx` (or a savepoint in it). */
type Runner = { run: Database<Record<string, unknown>>['db']['run'] }
type Publisher = Pick<Bus, 'subjects' | 'source'>

/** Writes an event into the outbox inside the caller's transaction; it leaves only after that commit. */
export async function enqueueEvent<E extends EventDef>(
  tx: Runner,
  bus: Publisher,
  def: E,
  data: Static<E['data']>,
  opts: { id?: string; time?: Date; traceparent?: string } = {},
) {
  const envelope = {
    id: opts.id ?? Bun.randomUUIDv7(),
    type: def.type,
    source: bus.source,
    time: (opts.time ?? new Date()).toISOString(),
    data: assertValid(def.data, data, def.type),
  }
  const traceparent = opts.traceparent && TRACEPARENT.test(opts.traceparent) ? opts.traceparent : null
  // Every write of every service runs this: one multi-row insert per commit, without drizzle's query building.
  await insertAtCommit(
    tx,
    'outbox',
    ['id', 'subject', 'envelope', 'traceparent', 'created_at'],
    [envelope.id, bus.subjects.evt(def.subject(data)), JSON.stringify(envelope), traceparent, Date.now()],
  )
  return envelope
}

type OutboxRow = { id: string; subject: string; envelope: string; traceparent: string | null }

export type OutboxRelay = { stop(): Promise<void>; flushed(): Promise<void> }

/**
 * Publishes unsent outbox rows to JetStream with `Nats-Msg-Id` = event id, then marks them sent.
 * A crash between the ack and the mark republishes the same id, which the stream's duplicate window drops.
 */
export function startOutboxRelay(opts: {
  database: Database<Record<string, unknown>>
  bus: Bus
  logger: Logger
  batchSize?: number
  /**
   * How long sent rows are kept (default a day). 0 deletes them on the ack instead of marking them: for large
   * events, rewriting each row to mark it costs as much as writing it.
   */
  retainSentMs?: number
}): OutboxRelay {
  const { database, bus, logger } = opts
  const batchSize = opts.batchSize ?? 256
  let stopped = false
  let wake: (() => void) | undefined
  let pendingWake = true
  let backoffMs = 0
  let idleWaiters: Array<() => void> = []

  database.onCommit(() => {
    pendingWake = true
    wake?.()
  })

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })

  const once = async (): Promise<number> => {
    // Plain statements: the relay runs after every commit.
    const { rows: found } = await statements(database.db).execute({
      sql: 'select id, subject, envelope, traceparent from outbox where sent_at is null order by created_at limit ?',
      args: [batchSize],
    })
    const rows = found as unknown as OutboxRow[]
    if (rows.length === 0) return 0
    const results = await Promise.allSettled(
      rows.map((r) =>
        bus.js.publish(r.subject, r.envelope, {
          headers: eventHeaders(r.id, r.traceparent ?? undefined),
          timeout: 5000,
        }),
      ),
    )
    const sent = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id)
    const failed = rows.filter((_, i) => results[i]?.status === 'rejected').map((r) => r.id)
    // Marking is bookkeeping: it rides on the next write's commit instead of paying an fsync of its own. Until it
    // commits, a crash republishes these rows under the same Nats-Msg-Id, which the stream drops as duplicates.
    await database.writeSoon(async (tx) => {
      const run = statements(tx)
      const marks = (ids: string[]) => ids.map(() => '?').join(',')
      if (sent.length && opts.retainSentMs === 0)
        await run.execute({ sql: `delete from outbox where id in (${marks(sent)})`, args: sent })
      else if (sent.length)
        await run.execute({
          sql: `update outbox set sent_at = ? where id in (${marks(sent)})`,
          args: [Date.now(), ...sent],
        })
      if (failed.length)
        await run.execute({
          sql: `update outbox set attempts = attempts + 1 where id in (${marks(failed)})`,
          args: failed,
        })
    }, MARK_WITHIN_MS)
    if (failed.length) {
      const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      throw first.reason
    }
    return rows.length
  }

  const prune = async () => {
    const cutoff = Date.now() - (opts.retainSentMs ?? 24 * 3600 * 1000)
    await database.write((tx) =>
      tx.delete(outbox).where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, cutoff))),
    )
  }

  const loop = (async () => {
    let lastPrune = 0
    while (!stopped) {
      try {
        pendingWake = false
        const n = await once()
        backoffMs = 0
        if (Date.now() - lastPrune > 3600_000) {
          lastPrune = Date.now()
          await prune()
        }
        if (n === batchSize || pendingWake) continue
        for (const resolve of idleWaiters) resolve()
        idleWaiters = []
        await sleep(1000)
      } catch (err) {
        if (stopped) break
        backoffMs = Math.min(backoffMs ? backoffMs * 2 : 100, 10_000)
        logger.warn('outbox publish failed; retrying', { backoffMs, ...errorFields(err) })
        await sleep(backoffMs)
      }
    }
  })()

  return {
    async stop() {
      stopped = true
      wake?.()
      await loop
    },
    /** Resolves once every row committed so far has been published (tests and graceful stop use it). */
    flushed() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        pendingWake = true
        wake?.()
      })
    },
  }
}
