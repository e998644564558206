import { errors } from '@bosun/contracts/errors'
import { LoginParams, Member, MemberCreate, WorkspaceParams } from '@bosun/contracts/workspace'
import { Elysia, t } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { workspaceAccess } from '../workspaces/access'
import { addMember, removeMember } from './service'

export function memberRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces/:id/team-members' })
    .use(workspaceAccess(deps))
    .post(
      '',
      async ({ principal, params, body, set }) => {
        set.status = 201
        return addMember(deps, principal, params.id, body.login)
      },
      {
        member: ['team_members:write'],
        params: WorkspaceParams,
        body: MemberCreate,
        detail: { operationId: 'workspaceAddMember', tags: ['workspace'], summary: 'Add a team member' },
        response: { 201: Member, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .delete(
      '/:login',
      async ({ principal, params, set }) => {
        await removeMember(deps, principal, params.id, params.login)
        set.status = 204
      },
      {
        member: ['team_members:write'],
        params: LoginParams,
        detail: {
          operationId: 'workspaceRemoveMember',
          tags: ['workspace'],
          summary: 'Remove a team member',
        },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
}
