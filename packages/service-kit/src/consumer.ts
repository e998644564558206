import type { Envelope, EventDef } from '@bosun/contracts/envelope'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import type { Static } from '@sinclair/typebox'
import { and, eq, lt } from 'drizzle-orm'
import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg } from 'nats'
import { type Bus, readEnvelope } from './bus'
import type { Database, Schema, Tx } from './db'
import { errorFields, type Logger } from './log'
import { processedEvents } from './outbox-table'
import { perTick } from './per-tick'
import { isValid } from './validate'

export type EventConsumer = { stop(): Promise<void> }

/** As long as BOSUN_EVENTS keeps an event: past that it cannot be delivered again, so its id is not needed. */
const PROCESSED_RETAIN_MS = 7 * 24 * 3600 * 1000
const PRUNE_EVERY_MS = 3600 * 1000
/** Events being applied at once (and pulled ahead from the stream). */
const MAX_IN_FLIGHT = 256

/** Forgets the event ids a consumer applied before `before` (epoch ms). */
export function pruneProcessed<S extends Schema>(database: Database<S>, durable: string, before: number) {
  return database.write((tx) =>
    tx
      .delete(processedEvents)
      .where(and(eq(processedEvents.consumer, durable), lt(processedEvents.processedAt, before))),
  )
}

/**
 * A durable JetStream consumer on BOSUN_EVENTS. Each message is validated against its definition,
 * applied at most once per event id (recorded in the same transaction as the handler's writes),
 * and acked only after that commit. Invalid messages are terminated, never retried forever. Events that
 * arrive together are applied in one job, in stream order.
 */
export async function consumeEvents<E extends EventDef, S extends Schema>(opts: {
  bus: Bus
  database: Database<S>
  logger: Logger
  /** Durable name; letters, digits, '-' and '_' only. */
  durable: string
  def: E
  /** Subject tail under `<prefix>.evt.`; defaults to the event type. May use wildcards. */
  filter?: string
  deliverNew?: boolean
  handler: (tx: Tx<S>, event: Envelope<Static<E['data']>>) => Promise<void>
}): Promise<EventConsumer> {
  const { bus, database, logger, def } = opts
  const filter = bus.subjects.evt(opts.filter ?? def.type)
  try {
    await bus.jsm.consumers.info(EVENTS_STREAM, opts.durable)
  } catch {
    await bus.jsm.consumers.add(EVENTS_STREAM, {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: filter,
      deliver_policy: opts.deliverNew ? DeliverPolicy.New : DeliverPolicy.All,
      max_deliver: -1,
      ack_wait: 30_000_000_000,
    })
  }
  const consumer = await bus.js.consumers.get(EVENTS_STREAM, opts.durable)
  let messages: ConsumerMessages | undefined
  let stopped = false
  type Received = { m: JsMsg; event: Envelope<Static<E['data']>> }
  const inFlight = new Set<Promise<void>>()

  /**
   * Applies the events that arrive together once each, in one job of the next group commit, in stream order.
   * Their ids are recorded by one statement first, which makes a second copy a no-op; a failing handler rolls the
   * record back with it (and `perTick` then applies each alone, so only the failing one comes back).
   */
  const applyTogether = perTick<Received, void>(async (batch) => {
    await database.write(async (tx) => {
      const fresh = await recordApplied(
        tx,
        batch.map((r) => r.event.id),
      )
      for (const { event } of batch) if (fresh.delete(event.id)) await opts.handler(tx, event)
    })
    return batch.map(() => undefined)
  })

  const recordApplied = async (tx: Tx<S>, ids: string[]): Promise<Set<string>> => {
    const processedAt = Date.now()
    const rows = await tx
      .insert(processedEvents)
      .values(ids.map((eventId) => ({ consumer: opts.durable, eventId, processedAt })))
      .onConflictDoNothing()
      .returning({ eventId: processedEvents.eventId })
    return new Set(rows.map((r) => r.eventId))
  }

  /** Acks after the commit; a failure comes back after a second. Not awaited: writes run in the order queued. */
  const apply = (received: Received) => {
    const applying: Promise<void> = applyTogether(received)
      .then(
        () => received.m.ack(),
        (err) => {
          logger.warn('event handler failed; will be redelivered', {
            durable: opts.durable,
            ...errorFields(err),
          })
          received.m.nak(1000)
        },
      )
      .finally(() => inFlight.delete(applying))
    inFlight.add(applying)
  }

  const run = (async () => {
    while (!stopped) {
      messages = await consumer.consume({ max_messages: MAX_IN_FLIGHT })
      for await (const m of messages) {
        let event: unknown
        try {
          event = readEnvelope(m)
        } catch {
          m.term()
          continue
        }
        if (!isValid(def.envelope, event)) {
          logger.warn('terminated invalid event', { durable: opts.durable, subject: m.subject })
          m.term()
          continue
        }
        // The messages of one read from the socket are iterated in one turn, so they are applied together.
        apply({ m, event: event as Envelope<Static<E['data']>> })
        if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight)
      }
    }
  })().catch((err) => {
    if (!stopped) logger.error('consumer stopped', { durable: opts.durable, ...errorFields(err) })
  })

  const pruner = setInterval(() => {
    pruneProcessed(database, opts.durable, Date.now() - PROCESSED_RETAIN_MS).catch((err) =>
      logger.warn('pruning processed events failed', { durable: opts.durable, ...errorFields(err) }),
    )
  }, PRUNE_EVERY_MS)
  pruner.unref()

  return {
    async stop() {
      clearInterval(pruner)
      stopped = true
      await messages?.close()
      await run
      await Promise.allSettled([...inFlight])
    },
  }
}
