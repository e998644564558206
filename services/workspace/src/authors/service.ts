import type { Principal } from '@bosun/contracts/principal'
import { type AuthorStatus, authorRecordRemoved, authorRecordSet } from '@bosun/contracts/workspace'
import { notFound } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { authorRecords } from '../db/schema'
import type { WorkspaceDeps } from '../deps'
import { commitChange, recordChange } from '../workspaces/changes'
import { loginKey, toAuthorRecord } from '../workspaces/service'

/** Setting a record again re-assesses the author (upsert): that is the normal flow, not a conflict. */
export function setAuthorRecord(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  input: { login: string; status: AuthorStatus; note?: string },
) {
  return commitChange(deps, async (tx) => {
    const row = {
      workspaceId,
      loginKey: loginKey(input.login),
      login: input.login,
      status: input.status,
      note: input.note ?? '',
      by: principal.login,
      at: Date.now(),
    }
    await tx
      .insert(authorRecords)
      .values(row)
      .onConflictDoUpdate({
        target: [authorRecords.workspaceId, authorRecords.loginKey],
        set: { login: row.login, status: row.status, note: row.note, by: row.by, at: row.at },
      })
    const record = toAuthorRecord(row)
    const live = await recordChange(tx, deps.bus, workspaceId, authorRecordSet, {
      record,
      by: principal.login,
    })
    return { result: record, live: [live] }
  })
}

export function removeAuthorRecord(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  login: string,
) {
  return commitChange(deps, async (tx) => {
    const removed = await tx
      .delete(authorRecords)
      .where(and(eq(authorRecords.workspaceId, workspaceId), eq(authorRecords.loginKey, loginKey(login))))
      .returning({ login: authorRecords.login })
    if (!removed[0]) throw notFound('Author record')
    const live = await recordChange(tx, deps.bus, workspaceId, authorRecordRemoved, {
      login: removed[0].login,
      by: principal.login,
    })
    return { result: undefined, live: [live] }
  })
}
