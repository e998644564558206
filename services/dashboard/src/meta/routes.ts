import { IssueMeta, IssueMetaParams, RateLimit, WorkspaceQuery } from '@bosun/contracts/dashboard'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { DashboardDeps } from '../deps'
import { issueMeta, rateLimit } from './service'

export function metaRoutes(deps: DashboardDeps) {
  return new Elysia({ prefix: '/api' })
    .use(authPlugin(deps.guard))
    .get(
      '/github/issue-meta/:owner/:repo/:number',
      ({ principal, params, query }) => issueMeta(deps, principal, params, query.workspace),
      {
        auth: ['team_members:read'],
        params: IssueMetaParams,
        query: WorkspaceQuery,
        detail: {
          operationId: 'githubIssueMeta',
          tags: ['dashboard'],
          summary: 'Title, state, draft and merged_at of an issue or pull request',
          description: "The repository must be one of the workspace's repositories (else 404).",
        },
        response: { 200: IssueMeta, ...errors(400, 401, 403, 404, 429, 503) },
      },
    )
    .get('/rate-limit', ({ principal, query }) => rateLimit(deps, principal, query.workspace), {
      auth: [],
      query: WorkspaceQuery,
      detail: {
        operationId: 'githubRateLimit',
        tags: ['dashboard'],
        summary: "The caller's GitHub rate limit",
        description:
          "The caller's own token; for API keys the GitHub App installation of the workspace's first repository.",
      },
      response: { 200: RateLimit, ...errors(400, 401, 404, 429, 503) },
    })
}
