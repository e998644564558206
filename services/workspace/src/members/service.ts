import type { Principal } from '@bosun/contracts/principal'
import { memberAdded, memberRemoved } from '@bosun/contracts/workspace'
import { statements } from '@bosun/service-kit/db'
import { conflict, notFound } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { members } from '../db/schema'
import type { WorkspaceDeps } from '../deps'
import { commitChange, recordChange } from '../workspaces/changes'
import { loginKey } from '../workspaces/service'

export function addMember(deps: WorkspaceDeps, principal: Principal, workspaceId: string, login: string) {
  return commitChange(deps, async (tx) => {
    const addedAt = Date.now()
    // A plain statement: the hot write path, where drizzle's query building costs more than the insert.
    const { rowsAffected } = await statements(tx).execute({
      sql: 'insert into members (workspace_id, login_key, login, added_by, added_at) values (?, ?, ?, ?, ?) on conflict do nothing',
      args: [workspaceId, loginKey(login), login, principal.login, addedAt],
    })
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
