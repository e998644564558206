import { errors } from '@bosun/contracts/errors'
import {
  DeliveryAccepted,
  DeliveryDuplicate,
  GithubDeliveryBody,
  GithubDeliveryForm,
  GithubDeliveryHeaders,
} from '@bosun/contracts/webhooks'
import { Elysia } from 'elysia'
import type { WebhooksDeps } from '../deps'
import { receiveDelivery } from './service'

export const INGRESS_PATH = '/api/webhooks/github'

export function ingressRoutes(deps: WebhooksDeps) {
  return new Elysia().post(
    INGRESS_PATH,
    async ({ request, headers, set }) => {
      const result = await receiveDelivery(deps, {
        deliveryId: headers['x-github-delivery'],
        event: headers['x-github-event'],
        signature: headers['x-hub-signature-256'],
        contentType: request.headers.get('content-type'),
        contentLength: request.headers.get('content-length'),
        traceparent: request.headers.get('traceparent') ?? undefined,
        headers: request.headers,
        request,
      })
      if (result.duplicate) return { duplicate: true as const, deliveryId: result.deliveryId }
      set.status = 202
      return { deliveryId: result.deliveryId, eventId: result.eventId }
    },
    {
      // The signature covers the exact bytes, so the body is read raw here, never parsed by the framework.
      parse: 'none',
      headers: GithubDeliveryHeaders,
      detail: {
        operationId: 'webhooksReceiveGithub',
        tags: ['webhooks'],
        summary: 'GitHub webhook ingress (HMAC-signed; public)',
        description:
          'Verifies X-Hub-Signature-256 over the raw body against each configured secret, records the delivery ' +
          'and publishes bosun.evt.github.<event>.<action>; 202 after the commit. A delivery id seen before ' +
          'answers 200 { duplicate: true } and publishes nothing. Bodies over 25 MB: 413.',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: GithubDeliveryBody },
            'application/x-www-form-urlencoded': { schema: GithubDeliveryForm },
          },
        },
      },
      response: {
        200: DeliveryDuplicate,
        202: DeliveryAccepted,
        ...errors(400, 401, 413, 415, 503),
      },
    },
  )
}
