import { DEFAULT_PAGE_SIZE } from '@bosun/contracts/pagination'
import type { Principal } from '@bosun/contracts/principal'
import type { UsagePage, UsageQuery } from '@bosun/contracts/usage'
import { notFound } from '@bosun/service-kit/errors'
import { decodeCursor, encodeCursor } from '@bosun/service-kit/paging'
import { and, asc, countDistinct, eq, gte, lt, max, sql, sum } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'

const u = schema.usageRecords
const KEY = { user: u.userId, repo: u.repo, day: u.day, thread: u.threadId } as const

/** `YYYY-MM-DD` is a whole UTC day: as `from` its start, as `to` the start of the next (so it is included). */
function bound(value: string | undefined, end: boolean) {
  if (!value) return undefined
  if (value.length > 10) return Date.parse(value)
  return Date.parse(`${value}T00:00:00Z`) + (end ? 86_400_000 : 0)
}

const totalsOf = {
  records: sql<number>`count(*)`,
  inputTokens: sum(u.inputTokens),
  outputTokens: sum(u.outputTokens),
  cacheReadTokens: sum(u.cacheReadTokens),
  cacheWriteTokens: sum(u.cacheWriteTokens),
  costUsd: sum(u.costUsd),
}

const numbers = (r: {
  inputTokens: string | null
  outputTokens: string | null
  cacheReadTokens: string | null
  cacheWriteTokens: string | null
  costUsd: string | null
}) => ({
  inputTokens: Number(r.inputTokens ?? 0),
  outputTokens: Number(r.outputTokens ?? 0),
  cacheReadTokens: Number(r.cacheReadTokens ?? 0),
  cacheWriteTokens: Number(r.cacheWriteTokens ?? 0),
  // Summed floats: rounded to a millionth of a dollar so the totals read as the provider's figures.
  costUsd: Math.round(Number(r.costUsd ?? 0) * 1e6) / 1e6,
})

/**
 * Usage of a workspace grouped by user, repository, day or thread. A member sees their own threads'
 * usage; `team_shared_creds:read` (who pays for the shared key) sees everyone's. Not a member: 404.
 */
export async function usageReport(deps: AicaDeps, principal: Principal, q: UsageQuery): Promise<UsagePage> {
  if (!(await deps.access.canUse(principal, q.workspace))) throw notFound('Workspace')
  const everyone = principal.scopes.includes('team_shared_creds:read')
  const from = bound(q.from, false)
  const to = bound(q.to, true)
  const where = and(
    eq(u.workspaceId, q.workspace),
    everyone ? undefined : eq(u.userId, principal.userId),
    from === undefined ? undefined : gte(u.at, from),
    to === undefined ? undefined : lt(u.at, to),
  )
  const key = KEY[q.groupBy ?? 'day']
  const offset = decodeCursor(q.cursor)
  const pageSize = q.page_size ?? DEFAULT_PAGE_SIZE
  const db = deps.database.db
  const [all] = await db
    .select({ groups: countDistinct(key), ...totalsOf })
    .from(u)
    .where(where)
  const rows = await db
    .select({ key, login: max(u.userLogin), ...totalsOf })
    .from(u)
    .where(where)
    .groupBy(key)
    .orderBy(q.direction?.startsWith('desc') ? sql`${key} desc` : asc(key))
    .limit(pageSize)
    .offset(offset)
  const total = all?.groups ?? 0
  const hasMore = offset + rows.length < total
  return {
    results: rows.map((r) => ({
      key: r.key,
      label: q.groupBy === 'user' ? (r.login ?? r.key) : r.key,
      records: Number(r.records),
      ...numbers(r),
    })),
    pagination: {
      pageSize,
      cursor: q.cursor ?? '',
      nextCursor: hasMore ? encodeCursor(offset + rows.length) : '',
      hasMore,
      returnedCount: rows.length,
      totalCount: total,
    },
    totals: all
      ? numbers(all)
      : { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
  }
}
