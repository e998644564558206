import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'
import { defineRpc } from './rpc'

export const WorkspaceId = t.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Workspace slug, e.g. pydantic-ai' })
export const GitHubLogin = t.String({
  pattern: '^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$',
  description: 'A GitHub login',
})

export const memberAdded = defineEvent(
  'workspace.member.added',
  t.Object({ workspaceId: WorkspaceId, login: GitHubLogin, by: t.String(), seq: t.Integer() }),
)
export const memberRemoved = defineEvent(
  'workspace.member.removed',
  t.Object({ workspaceId: WorkspaceId, login: GitHubLogin, by: t.String(), seq: t.Integer() }),
)

/** Other services ask workspace whether a login belongs to a workspace (404 for foreign workspaces). */
export const membershipRpc = defineRpc(
  'workspace',
  'membership',
  t.Object({ workspaceId: WorkspaceId, login: t.String() }),
  t.Object({ member: t.Boolean(), exists: t.Boolean() }),
  'Is this login a member of this workspace?',
)
export type Membership = Static<typeof membershipRpc.response>
