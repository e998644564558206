import type { Principal } from '@bosun/contracts/principal'
import { forbidden, notFound } from '@bosun/service-kit/errors'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import type { ThreadRow, WorktreeRow } from './model'

export const AUTO_USER = 'aica:auto'

/**
 * Who sees a worktree: members of its workspace, and for personal ones only the creator. Everything
 * else is 404, never 403, so a private thread's existence never leaks.
 */
export async function canSee(deps: AicaDeps, principal: Principal, wt: WorktreeRow) {
  if (wt.visibility === 'personal' && wt.creatorId !== principal.userId) return false
  return deps.access.canUse(principal, wt.workspaceId)
}

/** Who may change it: its creator, or any member with aica:write for auto-dispatched work. */
export function canManage(principal: Principal, wt: WorktreeRow, thread?: ThreadRow) {
  const owner = thread?.userId ?? wt.creatorId
  return owner === principal.userId || (owner === AUTO_USER && principal.scopes.includes('aica:write'))
}

export async function visibleWorktree(deps: AicaDeps, principal: Principal, id: string) {
  const [wt] = await deps.database.db.select().from(schema.worktrees).where(eq(schema.worktrees.id, id))
  if (!wt || !(await canSee(deps, principal, wt))) throw notFound('Worktree')
  return wt
}

export async function visibleThread(deps: AicaDeps, principal: Principal, id: string) {
  const [row] = await deps.database.db
    .select({ thread: schema.threads, worktree: schema.worktrees })
    .from(schema.threads)
    .innerJoin(schema.worktrees, eq(schema.worktrees.id, schema.threads.worktreeId))
    .where(eq(schema.threads.id, id))
  if (!row || !(await canSee(deps, principal, row.worktree))) throw notFound('Thread')
  return row
}

export function assertManage(principal: Principal, wt: WorktreeRow, thread?: ThreadRow) {
  if (!canManage(principal, wt, thread)) throw forbidden('Only its creator may change this')
}
