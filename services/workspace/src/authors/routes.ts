import { errors } from '@bosun/contracts/errors'
import { AuthorRecord, AuthorRecordSet, LoginParams, WorkspaceParams } from '@bosun/contracts/workspace'
import { Elysia, t } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { workspaceAccess } from '../workspaces/access'
import { removeAuthorRecord, setAuthorRecord } from './service'

export function authorRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces/:id/author-records' })
    .use(workspaceAccess(deps))
    .post(
      '',
      async ({ principal, params, body }) => {
        return setAuthorRecord(deps, principal, params.id, body)
      },
      {
        member: ['team_authors:write'],
        params: WorkspaceParams,
        body: AuthorRecordSet,
        detail: {
          operationId: 'workspaceSetAuthorRecord',
          tags: ['workspace'],
          summary: "Set an author's record (posting again re-assesses the author)",
        },
        response: { 200: AuthorRecord, ...errors(400, 401, 403, 404) },
      },
    )
    .delete(
      '/:login',
      async ({ principal, params, set }) => {
        await removeAuthorRecord(deps, principal, params.id, params.login)
        set.status = 204
      },
      {
        member: ['team_authors:write'],
        params: LoginParams,
        detail: {
          operationId: 'workspaceRemoveAuthorRecord',
          tags: ['workspace'],
          summary: "Remove an author's record",
        },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
}
