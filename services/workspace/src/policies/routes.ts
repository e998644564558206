import { errors } from '@bosun/contracts/errors'
import { CheckPolicy, CheckPolicyCreate, NameParams, WorkspaceParams } from '@bosun/contracts/workspace'
import { Elysia, t } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { workspaceAccess } from '../workspaces/access'
import { createCheckPolicy, removeCheckPolicy } from './service'

export function policyRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces/:id/check-policies' })
    .use(workspaceAccess(deps))
    .post(
      '',
      async ({ principal, params, body, set }) => {
        set.status = 201
        return createCheckPolicy(deps, principal, params.id, body)
      },
      {
        member: ['team_policies:write'],
        params: WorkspaceParams,
        body: CheckPolicyCreate,
        detail: {
          operationId: 'workspaceCreateCheckPolicy',
          tags: ['workspace'],
          summary: 'Add a CI check policy (required check patterns, repositories it applies to)',
        },
        response: { 201: CheckPolicy, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .delete(
      '/:name',
      async ({ principal, params, set }) => {
        await removeCheckPolicy(deps, principal, params.id, params.name)
        set.status = 204
      },
      {
        member: ['team_policies:write'],
        params: NameParams,
        detail: {
          operationId: 'workspaceRemoveCheckPolicy',
          tags: ['workspace'],
          summary: 'Remove a check policy',
        },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
}
