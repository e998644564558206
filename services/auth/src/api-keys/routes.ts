import { ApiKeyCreate, ApiKeyCreated, ApiKeyListQuery, ApiKeyPage, IdParam } from '@bosun/contracts/auth'
import { errors } from '@bosun/contracts/errors'
import { isDescending } from '@bosun/contracts/pagination'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { paginate } from '@bosun/service-kit/paging'
import { Elysia, t } from 'elysia'
import type { AuthDeps } from '../deps'
import { createApiKey, listApiKeys, revokeApiKey } from './service'

export function apiKeyRoutes(deps: AuthDeps) {
  return new Elysia({ prefix: '/api/auth/api-keys' })
    .use(authPlugin(deps.guard))
    .post(
      '',
      async ({ principal, body, set }) => {
        set.status = 201
        return createApiKey(deps.database, principal, body)
      },
      {
        auth: [],
        body: ApiKeyCreate,
        detail: {
          operationId: 'authCreateApiKey',
          tags: ['auth'],
          summary: 'Create a psnip_ API key (shown once; scopes a subset of yours)',
        },
        response: { 201: ApiKeyCreated, ...errors(400, 401, 403) },
      },
    )
    .get(
      '',
      async ({ principal, query }) =>
        paginate(
          await listApiKeys(
            deps.database,
            principal,
            query.sort ?? 'created_at',
            isDescending(query.direction),
          ),
          query,
        ),
      {
        auth: [],
        query: ApiKeyListQuery,
        detail: { operationId: 'authListApiKeys', tags: ['auth'], summary: 'Your API keys (prefix only)' },
        response: { 200: ApiKeyPage, ...errors(400, 401) },
      },
    )
    .delete(
      '/:id',
      async ({ principal, params, set }) => {
        await revokeApiKey(deps.database, deps.bus, principal, params.id)
        set.status = 204
      },
      {
        auth: [],
        params: IdParam,
        detail: { operationId: 'authRevokeApiKey', tags: ['auth'], summary: 'Revoke an API key' },
        response: { 204: t.Void({ description: 'Revoked' }), ...errors(401, 404) },
      },
    )
}
