import type { Thread, Worktree } from '@bosun/contracts/aica'
import { DEFAULT_PAGE_SIZE, type Direction, isDescending, type Pagination } from '@bosun/contracts/pagination'
import type { Principal } from '@bosun/contracts/principal'
import type { ThreadStatus } from '@bosun/contracts/relay'
import { notFound } from '@bosun/service-kit/errors'
import { decodeCursor, encodeCursor } from '@bosun/service-kit/paging'
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, or } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { visibleThread, visibleWorktree } from './access'
import { itemsBetween } from './items'
import { type BackupMeta, toItem, toThread, toWorktree, type WorktreeRow } from './model'

/**
 * What the caller may list, as SQL on `worktrees`: workspaces they belong to (asked once each) and,
 * inside them, team worktrees and their own. Undefined when there is nothing to list.
 */
async function visibleWhere(deps: AicaDeps, principal: Principal, workspace?: string) {
  if (workspace && !(await deps.access.canUse(principal, workspace))) throw notFound('Workspace')
  const candidates = workspace
    ? [workspace]
    : (
        await deps.database.db.selectDistinct({ id: schema.worktrees.workspaceId }).from(schema.worktrees)
      ).map((r) => r.id)
  const allowed: string[] = []
  for (const id of candidates) if (workspace || (await deps.access.canUse(principal, id))) allowed.push(id)
  if (allowed.length === 0) return undefined
  return and(
    inArray(schema.worktrees.workspaceId, allowed),
    or(eq(schema.worktrees.visibility, 'team'), eq(schema.worktrees.creatorId, principal.userId)),
  )
}

type PageQ = { cursor?: string; page_size?: number; direction?: Direction }

function pageOf<T>(
  results: T[],
  total: number,
  q: PageQ,
  offset: number,
): { results: T[]; pagination: Pagination } {
  const pageSize = q.page_size ?? DEFAULT_PAGE_SIZE
  const hasMore = offset + results.length < total
  return {
    results,
    pagination: {
      pageSize,
      cursor: q.cursor ?? '',
      nextCursor: hasMore ? encodeCursor(offset + results.length) : '',
      hasMore,
      returnedCount: results.length,
      totalCount: total,
    },
  }
}

/** Newest first unless `direction` asks for ascending. */
const order = (q: PageQ, column: SQLiteColumn, id: SQLiteColumn) =>
  q.direction === undefined || isDescending(q.direction) ? [desc(column), desc(id)] : [asc(column), asc(id)]

async function backupsOf(deps: AicaDeps, ids: string[]) {
  if (ids.length === 0) return new Map<string, BackupMeta>()
  const rows = await deps.database.db
    .select({
      worktreeId: schema.backups.worktreeId,
      ref: schema.backups.ref,
      headSha: schema.backups.headSha,
      size: schema.backups.size,
      at: schema.backups.at,
    })
    .from(schema.backups)
    .where(inArray(schema.backups.worktreeId, ids))
  return new Map(rows.map((r) => [r.worktreeId, r]))
}

export async function worktreeView(deps: AicaDeps, wt: WorktreeRow): Promise<Worktree> {
  return toWorktree(wt, (await backupsOf(deps, [wt.id])).get(wt.id))
}

export async function listThreads(
  deps: AicaDeps,
  principal: Principal,
  q: PageQ & {
    workspace?: string
    userId?: string
    worktreeId?: string
    repo?: string
    status?: ThreadStatus
  },
) {
  const offset = decodeCursor(q.cursor)
  const visible = await visibleWhere(deps, principal, q.workspace)
  if (!visible) return pageOf<Thread>([], 0, q, offset)
  const where = and(
    visible,
    q.userId === 'me' ? eq(schema.threads.userId, principal.userId) : undefined,
    q.worktreeId ? eq(schema.threads.worktreeId, q.worktreeId) : undefined,
    q.repo ? eq(schema.worktrees.repo, q.repo) : undefined,
    q.status ? eq(schema.threads.status, q.status) : undefined,
  )
  const join = eq(schema.worktrees.id, schema.threads.worktreeId)
  const [total] = await deps.database.db
    .select({ n: count() })
    .from(schema.threads)
    .innerJoin(schema.worktrees, join)
    .where(where)
  const rows = await deps.database.db
    .select({ thread: schema.threads, worktree: schema.worktrees })
    .from(schema.threads)
    .innerJoin(schema.worktrees, join)
    .where(where)
    .orderBy(...order(q, schema.threads.createdAt, schema.threads.id))
    .limit(q.page_size ?? DEFAULT_PAGE_SIZE)
    .offset(offset)
  return pageOf(
    rows.map((r) => toThread(r.thread, r.worktree)),
    total?.n ?? 0,
    q,
    offset,
  )
}

export async function listWorktrees(
  deps: AicaDeps,
  principal: Principal,
  q: PageQ & { workspace?: string; creatorId?: string; archived?: boolean },
) {
  const offset = decodeCursor(q.cursor)
  const visible = await visibleWhere(deps, principal, q.workspace)
  if (!visible) return pageOf<Worktree>([], 0, q, offset)
  const where = and(
    visible,
    q.creatorId === 'me' ? eq(schema.worktrees.creatorId, principal.userId) : undefined,
    q.archived === undefined
      ? undefined
      : q.archived
        ? isNotNull(schema.worktrees.archivedAt)
        : isNull(schema.worktrees.archivedAt),
  )
  const [total] = await deps.database.db.select({ n: count() }).from(schema.worktrees).where(where)
  const rows = await deps.database.db
    .select()
    .from(schema.worktrees)
    .where(where)
    .orderBy(...order(q, schema.worktrees.createdAt, schema.worktrees.id))
    .limit(q.page_size ?? DEFAULT_PAGE_SIZE)
    .offset(offset)
  const backups = await backupsOf(
    deps,
    rows.map((w) => w.id),
  )
  return pageOf(
    rows.map((w) => toWorktree(w, backups.get(w.id))),
    total?.n ?? 0,
    q,
    offset,
  )
}

export async function threadSnapshot(
  deps: AicaDeps,
  principal: Principal,
  id: string,
  since = 0,
  limit = 1000,
) {
  const { thread, worktree } = await visibleThread(deps, principal, id)
  const rows = await itemsBetween(deps.database, id, since, undefined, limit + 1)
  return {
    thread: toThread(thread, worktree),
    worktree: await worktreeView(deps, worktree),
    items: rows.slice(0, limit).map(toItem),
    hasMoreItems: rows.length > limit,
  }
}

export async function worktreeSnapshot(deps: AicaDeps, principal: Principal, wtId: string) {
  const wt = await visibleWorktree(deps, principal, wtId)
  const rows = await deps.database.db
    .select()
    .from(schema.threads)
    .where(eq(schema.threads.worktreeId, wtId))
    .orderBy(desc(schema.threads.createdAt))
  return { worktree: await worktreeView(deps, wt), threads: rows.map((r) => toThread(r, wt)) }
}

export async function threadView(deps: AicaDeps, threadId: string) {
  const [row] = await deps.database.db
    .select({ thread: schema.threads, worktree: schema.worktrees })
    .from(schema.threads)
    .innerJoin(schema.worktrees, eq(schema.worktrees.id, schema.threads.worktreeId))
    .where(eq(schema.threads.id, threadId))
  if (!row) throw notFound('Thread')
  return { thread: toThread(row.thread, row.worktree), worktree: await worktreeView(deps, row.worktree) }
}

export async function worktreeViewById(deps: AicaDeps, id: string) {
  const [wt] = await deps.database.db.select().from(schema.worktrees).where(eq(schema.worktrees.id, id))
  if (!wt) throw notFound('Worktree')
  return worktreeView(deps, wt)
}

export async function threadWorktreeId(deps: AicaDeps, threadId: string) {
  const [row] = await deps.database.db
    .select({ worktreeId: schema.threads.worktreeId })
    .from(schema.threads)
    .where(eq(schema.threads.id, threadId))
  return row?.worktreeId
}
