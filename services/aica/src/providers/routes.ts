import { HealthCheckRequest, HealthCheckResult } from '@bosun/contracts/aica-admin'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { splitList } from '@bosun/service-kit/env'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { probeProvider } from './service'

export function providerRoutes(deps: AicaDeps) {
  const allow = splitList(deps.env.BOSUN_OUTBOUND_ALLOW_HOSTS)
  return new Elysia({ prefix: '/api/providers' })
    .use(authPlugin(deps.guard))
    .post('/health-check', ({ body }) => probeProvider(body, allow), {
      auth: ['aica:write'],
      body: HealthCheckRequest,
      detail: {
        operationId: 'aicaProviderHealthCheck',
        tags: ['aica-admin'],
        summary: 'Probe a provider key against <baseURL>/models (not persisted)',
      },
      response: { 200: HealthCheckResult, ...errors(400, 401, 403) },
    })
}
