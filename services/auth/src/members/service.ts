import { statements } from '@bosun/service-kit/db'

/**
 * Workspace membership events keep a local projection that admission reads. Plain statements: every member
 * change of every workspace passes here, and drizzle's query building costs more than the statement.
 */
export async function applyMembership(
  tx: object,
  change: { workspaceId: string; login: string },
  added: boolean,
) {
  const args = [change.workspaceId, change.login.toLowerCase()]
  await statements(tx).execute(
    added
      ? {
          sql: 'insert into memberships (workspace_id, login_key) values (?, ?) on conflict do nothing',
          args,
        }
      : { sql: 'delete from memberships where workspace_id = ? and login_key = ?', args },
  )
}
