import { VettedAuthor, VettedAuthorParams, WorkspaceQuery } from '@bosun/contracts/dashboard'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { DashboardDeps } from '../deps'
import { vettedAuthor } from './service'

export function authorRoutes(deps: DashboardDeps) {
  return new Elysia({ prefix: '/api/dashboard' })
    .use(authPlugin(deps.guard))
    .get(
      '/vetted-author/:login',
      ({ principal, params, query }) => vettedAuthor(deps, principal, params.login, query.workspace),
      {
        auth: ['team_authors:read'],
        params: VettedAuthorParams,
        query: WorkspaceQuery,
        detail: {
          operationId: 'dashboardVettedAuthor',
          tags: ['dashboard'],
          summary: "Recent pull requests and issues by a login across the workspace's repositories",
          description: 'With the workspace author record and membership; found with GitHub search.',
        },
        response: { 200: VettedAuthor, ...errors(400, 401, 403, 404, 429, 503) },
      },
    )
}
