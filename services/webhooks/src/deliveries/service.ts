import { DEFAULT_PAGE_SIZE, isDescending, type Pagination } from '@bosun/contracts/pagination'
import type {
  DeliverySort,
  Redelivered,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryListQuery,
} from '@bosun/contracts/webhooks'
import { found } from '@bosun/service-kit/errors'
import { decodeKeyCursor, encodeKeyCursor } from '@bosun/service-kit/paging'
import { eq, type SQL, sql } from 'drizzle-orm'
import { enqueueDelivery } from '../bus'
import { deliveries, deliveryOutcomes, outbox } from '../db/schema'
import type { Db, WebhooksDeps } from '../deps'

/** A delivery is queued while the outbox still holds its latest event unsent (sent rows are deleted). */
const QUEUED = sql`exists (select 1 from ${outbox} where ${outbox.id} = ${deliveries.lastEventId} and ${outbox.sentAt} is null)`

const SORT_KEY: Record<DeliverySort, SQL> = {
  received_at: sql`${deliveries.receivedAt}`,
  event: sql`${deliveries.event}`,
  action: sql`coalesce(${deliveries.action}, '')`,
  repository: sql`coalesce(${deliveries.repositoryKey}, '')`,
}

const iso = (ms: number) => new Date(ms).toISOString()

type Summary = {
  id: string
  event: string
  action: string | null
  repository: string | null
  installationId: number | null
  receivedAt: number
  payloadBytes: number
  redeliveries: number
  lastRedeliveredAt: number | null
  queued: number
}

const toDelivery = (r: Summary): WebhookDelivery => ({
  id: r.id,
  event: r.event,
  action: r.action,
  repository: r.repository,
  installationId: r.installationId,
  status: r.queued ? 'queued' : 'published',
  receivedAt: iso(r.receivedAt),
  payloadBytes: r.payloadBytes,
  redeliveries: r.redeliveries,
  lastRedeliveredAt: r.lastRedeliveredAt === null ? null : iso(r.lastRedeliveredAt),
})

const list = (values: readonly string[]) =>
  sql`(${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`

function filters(query: WebhookDeliveryListQuery): SQL {
  const where: SQL[] = [sql`1 = 1`]
  if (query.event?.length) where.push(sql`${deliveries.event} in ${list(query.event)}`)
  if (query.action?.length) where.push(sql`${deliveries.action} in ${list(query.action)}`)
  if (query.repository?.length)
    where.push(sql`${deliveries.repositoryKey} in ${list(query.repository.map((r) => r.toLowerCase()))}`)
  const statuses = new Set(query.status ?? [])
  if (statuses.size === 1) where.push(statuses.has('queued') ? QUEUED : sql`not ${QUEUED}`)
  if (query.received_after) where.push(sql`${deliveries.receivedAt} >= ${Date.parse(query.received_after)}`)
  if (query.received_before) where.push(sql`${deliveries.receivedAt} < ${Date.parse(query.received_before)}`)
  return sql.join(where, sql` and `)
}

/**
 * One page of the delivery log in the spec-004 shape. Newest first by default; the cursor is the last row's
 * sort key, so deliveries arriving while a client pages neither repeat nor shift rows.
 */
export async function listDeliveries(
  database: Db,
  query: WebhookDeliveryListQuery,
): Promise<{ results: WebhookDelivery[]; pagination: Pagination }> {
  const sort = query.sort ?? 'received_at'
  const desc = query.direction ? isDescending(query.direction) : sort === 'received_at'
  const order = `${sort}:${desc ? 'desc' : 'asc'}`
  const after = decodeKeyCursor(query.cursor, order, 2)
  const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE
  const key = SORT_KEY[sort]
  const dir = sql.raw(desc ? 'desc' : 'asc')
  const where = filters(query)
  const keyset = after
    ? sql`and (${key}, ${deliveries.seq}) ${sql.raw(desc ? '<' : '>')} (${after[0]}, ${after[1]})`
    : sql``
  const rows = await database.db
    .select({ ...summary, sortKey: sql<string | number>`${key}` })
    .from(deliveries)
    .where(sql`${where} ${keyset}`)
    .orderBy(sql`${key} ${dir}`, sql`${deliveries.seq} ${dir}`)
    .limit(pageSize + 1)
  const [total] = await database.db.select({ n: sql<number>`count(*)` }).from(deliveries).where(where)
  const hasMore = rows.length > pageSize
  const page = rows.slice(0, pageSize)
  const last = page.at(-1)
  return {
    results: page.map(toDelivery),
    pagination: {
      pageSize,
      cursor: query.cursor ?? '',
      nextCursor: hasMore && last ? encodeKeyCursor(order, [last.sortKey, last.seq]) : '',
      hasMore,
      returnedCount: page.length,
      totalCount: total?.n ?? 0,
    },
  }
}

const summary = {
  seq: deliveries.seq,
  id: deliveries.id,
  event: deliveries.event,
  action: deliveries.action,
  repository: deliveries.repository,
  installationId: deliveries.installationId,
  receivedAt: deliveries.receivedAt,
  payloadBytes: deliveries.payloadBytes,
  redeliveries: deliveries.redeliveries,
  lastRedeliveredAt: deliveries.lastRedeliveredAt,
  queued: sql<number>`${QUEUED}`,
}

const payloadText = (stored: Uint8Array) => Bun.zstdDecompressSync(stored).toString()

/** One delivery with its (redacted) headers and its payload. */
export async function getDelivery(database: Db, id: string): Promise<WebhookDeliveryDetail> {
  const [row] = await database.db
    .select({ ...summary, headers: deliveries.headers, payload: deliveries.payload })
    .from(deliveries)
    .where(eq(deliveries.id, id))
    .limit(1)
  const r = found(row, 'Delivery')
  const outcomes = await database.db
    .select()
    .from(deliveryOutcomes)
    .where(eq(deliveryOutcomes.deliveryId, id))
    .orderBy(deliveryOutcomes.seq)
  return {
    ...toDelivery(r),
    headers: JSON.parse(r.headers) as Record<string, string>,
    payload: JSON.parse(payloadText(r.payload)),
    outcomes: outcomes.map((o) => ({
      source: o.source,
      workspaceId: o.workspaceId,
      threadId: o.threadId,
      reason: o.reason,
      at: iso(o.at),
    })),
  }
}

/** Publishes a recorded delivery again as a new event marked `redelivery: true`. */
export function redeliver(deps: WebhooksDeps, id: string, traceparent?: string): Promise<Redelivered> {
  const eventId = Bun.randomUUIDv7()
  return deps.database.write(async (tx) => {
    const [row] = await tx
      .select({ ...summary, payload: deliveries.payload })
      .from(deliveries)
      .where(eq(deliveries.id, id))
      .limit(1)
    const r = found(row, 'Delivery')
    const zstd = new Uint8Array(r.payload)
    await enqueueDelivery(
      tx,
      deps.bus,
      {
        deliveryId: r.id,
        event: r.event,
        action: r.action,
        repository: r.repository,
        installationId: r.installationId,
      },
      { json: Bun.zstdDecompressSync(zstd), zstd },
      { id: eventId, redelivery: true, traceparent },
    )
    await tx
      .update(deliveries)
      .set({
        redeliveries: sql`${deliveries.redeliveries} + 1`,
        lastRedeliveredAt: Date.now(),
        lastEventId: eventId,
      })
      .where(eq(deliveries.seq, r.seq))
    return { deliveryId: r.id, eventId }
  })
}
