import type { ItemBody } from '@bosun/contracts/relay'
import type { Tx } from '@bosun/service-kit/db'
import { eq, sql } from 'drizzle-orm'
import * as schema from '../db/schema'

type Usage = Extract<ItemBody, { kind: 'usage' }>

/**
 * Records one usage item for `GET /api/usage` and adds it to its thread's totals, in the transaction that
 * stored the item (a repeated item key is never stored twice, so it is never counted twice).
 */
export async function recordUsage(
  tx: Tx<typeof schema>,
  threadId: string,
  itemId: string,
  usage: Usage,
  now = Date.now(),
) {
  const [row] = await tx
    .select({ thread: schema.threads, repo: schema.worktrees.repo })
    .from(schema.threads)
    .innerJoin(schema.worktrees, eq(schema.worktrees.id, schema.threads.worktreeId))
    .where(eq(schema.threads.id, threadId))
  if (!row) throw new Error(`thread ${threadId} vanished`)
  const amounts = {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadTokens: usage.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.cacheWriteTokens ?? 0,
    costUsd: usage.costUsd ?? 0,
  }
  await tx.insert(schema.usageRecords).values({
    itemId,
    threadId,
    worktreeId: row.thread.worktreeId,
    workspaceId: row.thread.workspaceId,
    userId: row.thread.userId,
    userLogin: row.thread.userLogin,
    repo: row.repo,
    day: new Date(now).toISOString().slice(0, 10),
    ...amounts,
    at: now,
  })
  const t = schema.threads
  await tx
    .update(t)
    .set({
      usageInputTokens: sql`${t.usageInputTokens} + ${amounts.inputTokens}`,
      usageOutputTokens: sql`${t.usageOutputTokens} + ${amounts.outputTokens}`,
      usageCacheReadTokens: sql`${t.usageCacheReadTokens} + ${amounts.cacheReadTokens}`,
      usageCacheWriteTokens: sql`${t.usageCacheWriteTokens} + ${amounts.cacheWriteTokens}`,
      usageCostUsd: sql`${t.usageCostUsd} + ${amounts.costUsd}`,
    })
    .where(eq(t.id, threadId))
}
