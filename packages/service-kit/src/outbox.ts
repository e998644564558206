import { type EventDef, ZSTD_ENCODING } from '@bosun/contracts/envelope'
import type { Static } from '@sinclair/typebox'
import { and, asc, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import { type Bus, eventHeaders } from './bus'
import { type Database, type Inserter, insertAtCommit, type Schema } from './db'
import { errorFields, type Logger } from './log'
import { outbox } from './outbox-table'
import { assertValid } from './validate'
import { storedZstdFrame } from './zstd-stored'

/** How long sent rows may wait for a write to carry their marks; far inside the stream's duplicate window. */
const MARK_WITHIN_MS = 50
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** A write's `tx` (or a savepoint in it). */
type Publisher = Pick<Bus, 'subjects' | 'source'>

/**
 * A field of an event's data given as the JSON it was received as, in UTF-8 (a webhook payload): the envelope
 * splices those bytes in instead of serializing the parsed value and encoding it again. `json` must be the JSON
 * of `data[key]`; `data[key]` itself is only validated. With `zstd` (a zstd of `json` the caller made anyway) a
 * large envelope is not compressed again: it is stored as the frames of its head, of `json` and of its end, which
 * a zstd decoder reads back as one.
 */
export type VerbatimField = { key: string; json: Uint8Array; zstd?: Uint8Array }

/** Writes an event into the outbox inside the caller's transaction; it leaves only after that commit. */
export async function enqueueEvent<E extends EventDef>(
  tx: Inserter,
  bus: Publisher,
  def: E,
  data: Static<E['data']>,
  opts: { id?: string; time?: Date; traceparent?: string; verbatim?: VerbatimField } = {},
) {
  const envelope = {
    id: opts.id ?? Bun.randomUUIDv7(),
    type: def.type,
    source: bus.source,
    time: (opts.time ?? new Date()).toISOString(),
    data: assertValid(def.data, data, def.type),
  }
  const traceparent = opts.traceparent && TRACEPARENT.test(opts.traceparent) ? opts.traceparent : null
  const { text, zstd } = opts.verbatim
    ? storedSpliced(envelope, opts.verbatim)
    : stored(JSON.stringify(envelope))
  // Every write of every service runs this: one multi-row insert per commit.
  await insertAtCommit(tx, outbox, {
    id: envelope.id,
    subject: bus.subjects.evt(def.subject(data)),
    envelope: text,
    envelopeZstd: zstd && Buffer.from(zstd.buffer, zstd.byteOffset, zstd.byteLength),
    traceparent,
    createdAt: Date.now(),
  })
  return envelope
}

/** A built envelope as the outbox keeps it: its JSON, or '' and its zstd when it is large. */
type Stored = { text: string; zstd: Uint8Array | null }
const stored = (json: string): Stored =>
  json.length > COMPRESS_OVER_CHARS
    ? { text: '', zstd: Bun.zstdCompressSync(json, { level: 1 }) }
    : { text: json, zstd: null }

/**
 * The envelope with `data[key]` written as the given bytes: its head, those bytes and `CLOSE` (`data` is the
 * envelope's last member). A large one with the field's zstd is those frames, and its JSON is never put together.
 */
function storedSpliced(envelope: { data: unknown }, { key, json, zstd }: VerbatimField): Stored {
  const { [key]: _, ...rest } = envelope.data as Record<string, unknown>
  const start = JSON.stringify({ ...envelope, data: rest }).slice(0, -2)
  const head = encoder.encode(`${start}${start.endsWith('{') ? '' : ','}${JSON.stringify(key)}:`)
  const large = head.byteLength + json.byteLength + CLOSE.byteLength > COMPRESS_OVER_CHARS
  if (large && zstd) return { text: '', zstd: concat(storedZstdFrame(head), zstd, CLOSE_FRAME) }
  return stored(decoder.decode(concat(head, json, CLOSE)))
}
const CLOSE = new TextEncoder().encode('}}')
const CLOSE_FRAME = storedZstdFrame(CLOSE)

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/**
 * Envelopes longer than this (characters, or bytes when built from bytes) are stored and published as zstd: past
 * a SQLite page (4 KiB) a row overflows, and a 25 KB webhook event cost ~10x more to write, publish and keep in
 * the stream than its zstd.
 */
const COMPRESS_OVER_CHARS = 3000
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** `envelope` is the JSON, or its zstd (published as is, marked with Content-Encoding). */
type OutboxRow = { id: string; subject: string; envelope: string | Uint8Array; traceparent: string | null }
/** A row as inserted, or as read back. */
const committedRow = (row: typeof outbox.$inferInsert): OutboxRow => ({
  id: row.id,
  subject: row.subject,
  envelope: row.envelopeZstd ?? row.envelope,
  traceparent: row.traceparent ?? null,
})

export type OutboxRelay = { stop(): Promise<void>; flushed(): Promise<void> }

/** How often unsent rows are looked for: rows left by a crash or by a failed publish. */
const SWEEP_MS = 1000

/**
 * Publishes outbox rows to JetStream with `Nats-Msg-Id` = event id, then marks them sent. A commit's rows are
 * published straight from the commit (no read back); a sweep finds what a crash or a failed publish left. A crash
 * between the ack and the mark republishes the same id, which the stream's duplicate window drops.
 */
export function startOutboxRelay<S extends Schema>(opts: {
  database: Database<S>
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
  let pendingSweep = true
  let backoffMs = 0
  let idleWaiters: Array<() => void> = []
  /** Ids being published or waiting for their mark to commit: a sweep leaves them alone. */
  const inFlight = new Set<string>()
  /** Publishes started from commits, so `flushed` and `stop` can wait for them. */
  const active = new Set<Promise<void>>()

  const mark = (sent: string[], failed: string[]) =>
    // Marking is bookkeeping: it rides on the next write's commit instead of paying an fsync of its own. Until it
    // commits, a crash republishes these rows under the same Nats-Msg-Id, which the stream drops as duplicates.
    database.writeSoon(async (tx) => {
      if (sent.length && opts.retainSentMs === 0) await tx.delete(outbox).where(inArray(outbox.id, sent))
      else if (sent.length)
        await tx.update(outbox).set({ sentAt: Date.now() }).where(inArray(outbox.id, sent))
      if (failed.length)
        await tx
          .update(outbox)
          .set({ attempts: sql`${outbox.attempts} + 1` })
          .where(inArray(outbox.id, failed))
    }, MARK_WITHIN_MS)

  /** Publishes the rows nobody else is publishing, marks them, and throws the first failure. */
  const publish = async (rows: OutboxRow[]) => {
    const mine = rows.filter((r) => !inFlight.has(r.id))
    for (const r of mine) inFlight.add(r.id)
    try {
      const results = await Promise.allSettled(
        mine.map((r) =>
          bus.stream.publish(
            r.subject,
            r.envelope,
            eventHeaders(
              r.id,
              r.traceparent ?? undefined,
              typeof r.envelope === 'string' ? undefined : ZSTD_ENCODING,
            ),
          ),
        ),
      )
      const sent = mine.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id)
      const failed = mine.filter((_, i) => results[i]?.status === 'rejected').map((r) => r.id)
      await mark(sent, failed)
      const first = results.find((r) => r.status === 'rejected')
      if (first) throw (first as PromiseRejectedResult).reason
    } finally {
      for (const r of mine) inFlight.delete(r.id)
    }
  }

  database.onCommit((inserted) => {
    const rows = inserted.rows(outbox).map(committedRow)
    if (rows.length === 0 || stopped) return
    const publishing: Promise<void> = publish(rows)
      .catch((err) => logger.warn('outbox publish failed; the sweep retries', errorFields(err)))
      .finally(() => active.delete(publishing))
    active.add(publishing)
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

  const sweep = async (): Promise<number> => {
    const { db } = database
    // Under load most unsent rows are being published from their commit: their ids are read, not their envelopes.
    const unsent = await db
      .select({ id: outbox.id })
      .from(outbox)
      .where(isNull(outbox.sentAt))
      .orderBy(asc(outbox.createdAt))
      .limit(batchSize)
    const ids = unsent.map((r) => r.id).filter((id) => !inFlight.has(id))
    const found = ids.length
      ? await db
          .select()
          .from(outbox)
          .where(and(isNull(outbox.sentAt), inArray(outbox.id, ids)))
          .orderBy(asc(outbox.createdAt))
      : []
    const rows = found.filter((r) => !inFlight.has(r.id)).map(committedRow)
    if (rows.length > 0) await publish(rows)
    // Rows a commit is publishing do not count: under load a full page of them would spin the sweep.
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
        pendingSweep = false
        const n = await sweep()
        backoffMs = 0
        if (Date.now() - lastPrune > 3600_000) {
          lastPrune = Date.now()
          await prune()
        }
        if (n === batchSize || pendingSweep) continue
        for (const resolve of idleWaiters) resolve()
        idleWaiters = []
        await sleep(SWEEP_MS)
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
      await Promise.allSettled([...active])
    },
    /** Resolves once every row committed so far has been published (tests and graceful stop use it). */
    async flushed() {
      await Promise.allSettled([...active])
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        pendingSweep = true
        wake?.()
      })
    },
  }
}
