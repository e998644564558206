import type { Tx } from '@bosun/service-kit/db'
import { and, eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { Db } from '../deps'

/** Applies a member.added / member.removed event to the projection (idempotent). */
export async function applyMembership(
  tx: Tx<typeof schema>,
  change: { workspaceId: string; login: string },
  added: boolean,
) {
  const loginKey = change.login.toLowerCase()
  if (added) {
    await tx
      .insert(schema.memberships)
      .values({ workspaceId: change.workspaceId, loginKey })
      .onConflictDoNothing()
    return
  }
  await tx
    .delete(schema.memberships)
    .where(
      and(eq(schema.memberships.workspaceId, change.workspaceId), eq(schema.memberships.loginKey, loginKey)),
    )
}

/** Applies a workspace.created event to the projection (idempotent). */
export async function applyWorkspaceCreated(tx: Tx<typeof schema>, change: { workspaceId: string }) {
  await tx.insert(schema.workspaces).values({ id: change.workspaceId }).onConflictDoNothing()
}

const TTL_MS = 5_000

/** Workspaces a login belongs to, from the projection, remembered briefly (membership events drop it). */
export function createMembershipIndex(database: Db) {
  const cache = new Map<string, { ids: string[]; at: number }>()
  return {
    async workspacesOf(login: string): Promise<string[]> {
      const key = login.toLowerCase()
      const hit = cache.get(key)
      if (hit && Date.now() - hit.at < TTL_MS) return hit.ids
      const rows = await database.db
        .select({ id: schema.memberships.workspaceId })
        .from(schema.memberships)
        .where(eq(schema.memberships.loginKey, key))
      const ids = rows.map((r) => r.id).sort()
      if (cache.size > 10_000) cache.clear()
      cache.set(key, { ids, at: Date.now() })
      return ids
    },
    /** Every workspace of the installation (at most `limit`, sorted): an admin's choice when they name none. */
    async allWorkspaces(limit: number): Promise<string[]> {
      const rows = await database.db
        .select({ id: schema.workspaces.id })
        .from(schema.workspaces)
        .orderBy(schema.workspaces.id)
        .limit(limit)
      return rows.map((r) => r.id)
    },
    forget(login: string) {
      cache.delete(login.toLowerCase())
    },
  }
}

export type MembershipIndex = ReturnType<typeof createMembershipIndex>
