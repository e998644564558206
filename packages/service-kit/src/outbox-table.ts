import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Tables every service with events owns. A service re-exports them from its `db/schema.ts`
 * so drizzle-kit writes them into that service's migrations.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    subject: text('subject').notNull(),
    /** The envelope's JSON; '' when it is large and kept in `envelope_zstd` instead. */
    envelope: text('envelope').notNull(),
    /** zstd of a large envelope's JSON: a large row costs far more to write (and delete) than to compress. */
    envelopeZstd: blob('envelope_zstd', { mode: 'buffer' }),
    /** W3C trace context of the request that caused the event, sent as the `traceparent` header. */
    traceparent: text('traceparent'),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: integer('sent_at'),
  },
  (t) => [index('outbox_sent_at_created_at_idx').on(t.sentAt, t.createdAt)],
)

/** Event ids a consumer has applied; makes consumers idempotent by event id. */
export const processedEvents = sqliteTable(
  'processed_events',
  {
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    processedAt: integer('processed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
)
