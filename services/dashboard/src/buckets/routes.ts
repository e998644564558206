import { ISSUE_BUCKETS, IssuePage, IssueQuery, PR_BUCKETS, PrPage, PrQuery } from '@bosun/contracts/dashboard'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { DashboardDeps } from '../deps'
import { listIssues, listPulls } from './service'

const json = (body: string) => new Response(body, { headers: { 'content-type': 'application/json' } })
const rules = (buckets: Record<string, string>) =>
  Object.entries(buckets)
    .map(([name, rule]) => `- \`${name}\`: ${rule}`)
    .join('\n')
const COMMON =
  "Read from GitHub as the caller (their own GitHub token; API keys read with the GitHub App installation token) over the workspace's repositories. Cursor pagination (spec 004)."

export function bucketRoutes(deps: DashboardDeps) {
  return new Elysia({ prefix: '/api/dashboard' })
    .use(authPlugin(deps.guard))
    .get('/prs', async ({ principal, query }) => json(await listPulls(deps, principal, query)), {
      auth: ['team_members:read'],
      query: PrQuery,
      detail: {
        operationId: 'dashboardPrs',
        tags: ['dashboard'],
        summary: 'Open pull requests in one bucket',
        description: `${COMMON}\n\nBuckets:\n${rules(PR_BUCKETS)}`,
      },
      response: { 200: PrPage, ...errors(400, 401, 403, 404, 429, 503) },
    })
    .get('/issues', async ({ principal, query }) => json(await listIssues(deps, principal, query)), {
      auth: ['team_members:read'],
      query: IssueQuery,
      detail: {
        operationId: 'dashboardIssues',
        tags: ['dashboard'],
        summary: 'Open issues in one bucket',
        description: `${COMMON}\n\nBuckets:\n${rules(ISSUE_BUCKETS)}`,
      },
      response: { 200: IssuePage, ...errors(400, 401, 403, 404, 429, 503) },
    })
}
