import type { Principal } from '@bosun/contracts/principal'
import { memberAdded, memberRemoved } from '@bosun/contracts/workspace'
import { conflict, notFound } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { members } from '../db/schema'
import type { WorkspaceDeps } from '../deps'
import { commitChange, recordChange } from '../workspaces/changes'
import { loginKey } from '../workspaces/service'

export function addMember(deps: WorkspaceDeps, principal: Principal, workspaceId: string, login: string) {
  return commitChange(deps, async (tx) => {
    const addedAt = Date.now()
    const { rowsAffected } = await tx
      .insert(members)
      .values({ workspaceId, loginKey: loginKey(login), login, addedBy: principal.login, addedAt })
      .onConflictDoNothing()
    if (rowsAffected === 0) throw conflict(`${login} is already a member`)
    const live = await recordChange(tx, deps.bus, workspaceId, memberAdded, { login, by: principal.login })
    return {
      result: { login, addedBy: principal.login, addedAt: new Date(addedAt).toISOString() },
      live: [live],
    }
  })
}

export function removeMember(deps: WorkspaceDeps, principal: Principal, workspaceId: string, login: string) {
  return commitChange(deps, async (tx) => {
    const removed = await tx
      .delete(members)
      .where(and(eq(members.workspaceId, workspaceId), eq(members.loginKey, loginKey(login))))
      .returning({ login: members.login })
    if (!removed[0]) throw notFound('Member')
    const live = await recordChange(tx, deps.bus, workspaceId, memberRemoved, {
      login: removed[0].login,
      by: principal.login,
    })
    return { result: undefined, live: [live] }
  })
}
