import type { ItemBody } from '@bosun/contracts/relay'
import type { Tx } from '@bosun/service-kit/db'
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { Db } from '../deps'
import { type ItemRow, toItem } from './model'

type T = Tx<typeof schema>
const sqlIncrement = () => sql`${schema.threads.lastSeq} + 1`
export const newId = (prefix: string) => `${prefix}_${Bun.randomUUIDv7().replaceAll('-', '')}`

/**
 * Appends an item with the thread's next seq, in the caller's transaction. With a `key`, a repeated
 * key returns the stored item instead (the runner resends after a reconnect).
 */
export async function appendItem(tx: T, threadId: string, body: ItemBody, key?: string, now = Date.now()) {
  if (key) {
    const [dup] = await tx
      .select()
      .from(schema.items)
      .where(and(eq(schema.items.threadId, threadId), eq(schema.items.key, key)))
      .limit(1)
    if (dup) return { item: toItem(dup), duplicate: true }
  }
  const [thread] = await tx
    .update(schema.threads)
    .set({ lastSeq: sqlIncrement(), updatedAt: now })
    .where(eq(schema.threads.id, threadId))
    .returning({ lastSeq: schema.threads.lastSeq })
  if (!thread) throw new Error(`thread ${threadId} vanished`)
  const row: ItemRow = {
    threadId,
    seq: thread.lastSeq,
    id: newId('itm'),
    key: key ?? null,
    kind: body.kind,
    body: JSON.stringify(body),
    at: now,
    appliedUrl: null,
    appliedId: null,
  }
  await tx.insert(schema.items).values(row)
  return { item: toItem(row), duplicate: false }
}

export async function itemsBetween(
  database: Db,
  threadId: string,
  after: number,
  upTo?: number,
  limit = 1000,
) {
  const rows = await database.db
    .select()
    .from(schema.items)
    .where(
      and(
        eq(schema.items.threadId, threadId),
        gt(schema.items.seq, after),
        upTo === undefined ? undefined : lte(schema.items.seq, upTo),
      ),
    )
    .orderBy(asc(schema.items.seq))
    .limit(limit)
  return rows
}
