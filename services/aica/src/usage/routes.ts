import { errors } from '@bosun/contracts/errors'
import { UsagePage, UsageQuery } from '@bosun/contracts/usage'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { usageReport } from './service'

export function usageRoutes(deps: AicaDeps) {
  return new Elysia({ prefix: '/api/usage' })
    .use(authPlugin(deps.guard))
    .get('', ({ principal, query }) => usageReport(deps, principal, query), {
      auth: ['aica:read'],
      query: UsageQuery,
      detail: {
        operationId: 'aicaUsage',
        tags: ['aica'],
        summary: "Model usage of a workspace's threads, grouped by user, repo, day or thread",
        description:
          "Members see their own threads; `team_shared_creds:read` sees everyone's. `from` is inclusive, `to` exclusive; a `YYYY-MM-DD` is a whole UTC day (as `to`, included). Default grouping: `day`, oldest first.",
      },
      response: { 200: UsagePage, ...errors(400, 401, 403, 404) },
    })
}
