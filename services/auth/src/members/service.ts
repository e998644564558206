import type { Tx } from '@bosun/service-kit/db'
import { and, eq } from 'drizzle-orm'
import type * as schema from '../db/schema'
import { memberships } from '../db/schema'

/** Workspace membership events keep a local projection that admission reads. */
export async function applyMembership(
  tx: Tx<typeof schema>,
  change: { workspaceId: string; login: string },
  added: boolean,
) {
  const row = { workspaceId: change.workspaceId, loginKey: change.login.toLowerCase() }
  if (added) await tx.insert(memberships).values(row).onConflictDoNothing()
  else
    await tx
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, row.workspaceId), eq(memberships.loginKey, row.loginKey)))
}
