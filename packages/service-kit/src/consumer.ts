import type { Envelope, EventDef } from '@bosun/contracts/envelope'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import type { Static } from '@sinclair/typebox'
import { and, eq, lt } from 'drizzle-orm'
import { AckPolicy, type ConsumerMessages, DeliverPolicy } from 'nats'
import { type Bus, readEnvelope } from './bus'
import type { Database, Tx } from './db'
import { errorFields, type Logger } from './log'
import { processedEvents } from './outbox-table'
import { isValid } from './validate'

type AnyTx = Tx<Record<string, unknown>>

export type EventConsumer = { stop(): Promise<void> }

/** As long as BOSUN_EVENTS keeps an event: past that it cannot be delivered again, so its id is not needed. */
const PROCESSED_RETAIN_MS = 7 * 24 * 3600 * 1000
const PRUNE_EVERY_MS = 3600 * 1000

/** Forgets the event ids a consumer applied before `before` (epoch ms). */
export function pruneProcessed(database: Database<Record<string, unknown>>, durable: string, before: number) {
  return database.write((tx) =>
    tx
      .delete(processedEvents)
      .where(and(eq(processedEvents.consumer, durable), lt(processedEvents.processedAt, before))),
  )
}

/**
 * A durable JetStream consumer on BOSUN_EVENTS. Each message is validated against its definition,
 * applied at most once per event id (recorded in the same transaction as the handler's writes),
 * and acked only after that commit. Invalid messages are terminated, never retried forever.
 */
export async function consumeEvents<E extends EventDef>(opts: {
  bus: Bus
  database: Database<Record<string, unknown>>
  logger: Logger
  /** Durable name; letters, digits, '-' and '_' only. */
  durable: string
  def: E
  /** Subject tail under `<prefix>.evt.`; defaults to the event type. May use wildcards. */
  filter?: string
  deliverNew?: boolean
  handler: (tx: AnyTx, event: Envelope<Static<E['data']>>) => Promise<void>
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

  const run = (async () => {
    while (!stopped) {
      messages = await consumer.consume({ max_messages: 64 })
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
        const env = event as Envelope<Static<E['data']>>
        try {
          await database.write(async (tx) => {
            const seen = await tx
              .select({ id: processedEvents.eventId })
              .from(processedEvents)
              .where(and(eq(processedEvents.consumer, opts.durable), eq(processedEvents.eventId, env.id)))
              .limit(1)
            if (seen.length > 0) return
            await opts.handler(tx, env)
            await tx
              .insert(processedEvents)
              .values({ consumer: opts.durable, eventId: env.id, processedAt: Date.now() })
          })
          m.ack()
        } catch (err) {
          logger.warn('event handler failed; will be redelivered', {
            durable: opts.durable,
            ...errorFields(err),
          })
          m.nak(1000)
        }
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
    },
  }
}
