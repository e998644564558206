import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export { outbox, processedEvents } from '@bosun/service-kit/outbox-table'

/**
 * One row per accepted delivery. The unique delivery id is the dedupe record (kept for the retention, at least
 * 3 days); the payload is stored zstd-compressed so the row stays small on the hot path.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    event: text('event').notNull(),
    action: text('action'),
    repository: text('repository'),
    /** Lower-cased `repository`, for case-insensitive filtering. */
    repositoryKey: text('repository_key'),
    installationId: integer('installation_id'),
    receivedAt: integer('received_at').notNull(),
    /** JSON object of the request headers, secret-like ones already redacted. */
    headers: text('headers').notNull(),
    payload: blob('payload', { mode: 'buffer' }).notNull(),
    payloadBytes: integer('payload_bytes').notNull(),
    /** The outbox id of the latest event published for it; its sent state is the delivery's status. */
    lastEventId: text('last_event_id').notNull(),
    redeliveries: integer('redeliveries').notNull().default(0),
    lastRedeliveredAt: integer('last_redelivered_at'),
  },
  (t) => [
    uniqueIndex('deliveries_id_idx').on(t.id),
    index('deliveries_received_at_idx').on(t.receivedAt, t.seq),
    index('deliveries_event_received_at_idx').on(t.event, t.receivedAt),
    index('deliveries_repository_key_received_at_idx').on(t.repositoryKey, t.receivedAt),
  ],
)

/** What consumers made of a delivery (auto-dispatch: the thread it started, or why none), kept beside it. */
export const deliveryOutcomes = sqliteTable(
  'delivery_outcomes',
  {
    seq: integer('seq').primaryKey(),
    deliveryId: text('delivery_id').notNull(),
    source: text('source').notNull(),
    workspaceId: text('workspace_id'),
    threadId: text('thread_id'),
    reason: text('reason').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [
    index('delivery_outcomes_delivery_id_idx').on(t.deliveryId, t.seq),
    index('delivery_outcomes_at_idx').on(t.at),
  ],
)
