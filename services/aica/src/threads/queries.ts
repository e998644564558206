import type { Thread, Worktree } from '@bosun/contracts/aica'
import type { Principal } from '@bosun/contracts/principal'
import type { ThreadStatus } from '@bosun/contracts/relay'
import { notFound } from '@bosun/service-kit/errors'
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { visibleThread, visibleWorktree } from './access'
import { itemsBetween } from './items'
import { type BackupMeta, toItem, toThread, toWorktree, type WorktreeRow } from './model'

/** Workspace access per call, so a list asks workspace once per workspace, not once per row. */
function seer(deps: AicaDeps, principal: Principal) {
  const known = new Map<string, Promise<boolean>>()
  return async (wt: WorktreeRow) => {
    if (wt.visibility === 'personal' && wt.creatorId !== principal.userId) return false
    let ok = known.get(wt.workspaceId)
    if (!ok) {
      ok = deps.access.canUse(principal, wt.workspaceId)
      known.set(wt.workspaceId, ok)
    }
    return ok
  }
}

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
  q: { workspace?: string; userId?: string; worktreeId?: string; status?: ThreadStatus },
): Promise<Thread[]> {
  if (q.workspace && !(await deps.access.canUse(principal, q.workspace))) throw notFound('Workspace')
  const where: SQL[] = []
  if (q.workspace) where.push(eq(schema.threads.workspaceId, q.workspace))
  if (q.userId === 'me') where.push(eq(schema.threads.userId, principal.userId))
  if (q.worktreeId) where.push(eq(schema.threads.worktreeId, q.worktreeId))
  if (q.status) where.push(eq(schema.threads.status, q.status))
  const rows = await deps.database.db
    .select({ thread: schema.threads, worktree: schema.worktrees })
    .from(schema.threads)
    .innerJoin(schema.worktrees, eq(schema.worktrees.id, schema.threads.worktreeId))
    .where(and(...where))
    .orderBy(desc(schema.threads.createdAt), desc(schema.threads.id))
  const sees = seer(deps, principal)
  const out: Thread[] = []
  for (const r of rows) if (await sees(r.worktree)) out.push(toThread(r.thread, r.worktree))
  return out
}

export async function listWorktrees(
  deps: AicaDeps,
  principal: Principal,
  q: { workspace?: string; creatorId?: string; archived?: boolean },
): Promise<Worktree[]> {
  if (q.workspace && !(await deps.access.canUse(principal, q.workspace))) throw notFound('Workspace')
  const where: SQL[] = []
  if (q.workspace) where.push(eq(schema.worktrees.workspaceId, q.workspace))
  if (q.creatorId === 'me') where.push(eq(schema.worktrees.creatorId, principal.userId))
  const rows = await deps.database.db
    .select()
    .from(schema.worktrees)
    .where(and(...where))
    .orderBy(desc(schema.worktrees.createdAt), desc(schema.worktrees.id))
  const sees = seer(deps, principal)
  const visible: WorktreeRow[] = []
  for (const r of rows) {
    if (q.archived !== undefined && (r.archivedAt !== null) !== q.archived) continue
    if (await sees(r)) visible.push(r)
  }
  const backups = await backupsOf(
    deps,
    visible.map((w) => w.id),
  )
  return visible.map((w) => toWorktree(w, backups.get(w.id)))
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
