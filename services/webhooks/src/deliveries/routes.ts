import { errors } from '@bosun/contracts/errors'
import {
  DeliveryParams,
  Redelivered,
  WebhookDeliveryDetail,
  WebhookDeliveryListQuery,
  WebhookDeliveryPage,
} from '@bosun/contracts/webhooks'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { WebhooksDeps } from '../deps'
import { getDelivery, listDeliveries, redeliver } from './service'

export function deliveryRoutes(deps: WebhooksDeps) {
  return new Elysia({ prefix: '/api/webhook-deliveries' })
    .use(authPlugin(deps.guard))
    .get('', ({ query }) => listDeliveries(deps.database, query), {
      auth: ['team_shared_creds:read'],
      query: WebhookDeliveryListQuery,
      detail: {
        operationId: 'webhooksListDeliveries',
        tags: ['webhooks'],
        summary: 'The delivery log, newest first, with filters and cursor pagination',
      },
      response: { 200: WebhookDeliveryPage, ...errors(400, 401, 403) },
    })
    .get('/:id', ({ params }) => getDelivery(deps.database, params.id), {
      auth: ['team_shared_creds:read'],
      params: DeliveryParams,
      detail: {
        operationId: 'webhooksGetDelivery',
        tags: ['webhooks'],
        summary: 'One delivery with its headers (secrets redacted) and payload',
      },
      response: { 200: WebhookDeliveryDetail, ...errors(400, 401, 403, 404) },
    })
    .post(
      '/:id/redeliver',
      async ({ params, request, set }) => {
        set.status = 202
        return redeliver(deps, params.id, request.headers.get('traceparent') ?? undefined)
      },
      {
        auth: ['team_shared_creds:write'],
        params: DeliveryParams,
        detail: {
          operationId: 'webhooksRedeliver',
          tags: ['webhooks'],
          summary: 'Publish a recorded delivery again, as a new event marked redelivery: true',
        },
        response: { 202: Redelivered, ...errors(400, 401, 403, 404) },
      },
    )
}
