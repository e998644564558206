import { type Static, t } from 'elysia'
import { Direction, Page, PageQuery } from './pagination'

/** GitHub caps a webhook payload at 25 MB and drops larger ones; so do we. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024

/** Retention of the delivery log; GitHub redelivers up to 3 days later, so dedupe needs at least that. */
export const MIN_RETENTION_DAYS = 3
export const DEFAULT_RETENTION_DAYS = 14

export const DeliveryId = t.String({
  pattern: '^[A-Za-z0-9._:-]{1,128}$',
  description: 'The X-GitHub-Delivery GUID; also the delivery log id',
})
export const GithubEventName = t.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'The X-GitHub-Event name, e.g. issues, pull_request, ping',
})
const Time = t.String({ format: 'date-time' })

/**
 * Headers of `POST /api/webhooks/github`. The signature is optional here so that a missing one is a 401 from
 * the handler, not a 400 from validation.
 */
export const GithubDeliveryHeaders = t.Object({
  'x-github-event': GithubEventName,
  'x-github-delivery': DeliveryId,
  'x-hub-signature-256': t.Optional(
    t.String({ maxLength: 200, description: 'sha256=<hex HMAC-SHA256 of the raw body with the secret>' }),
  ),
})

/** The request body as GitHub sends it: JSON, or a form with the JSON in its `payload` field. */
export const GithubDeliveryBody = t.Object({}, { additionalProperties: true, title: 'GithubWebhookPayload' })
export const GithubDeliveryForm = t.Object(
  { payload: t.String({ description: 'The JSON payload' }) },
  { title: 'GithubWebhookForm' },
)

export const DeliveryAccepted = t.Object(
  {
    deliveryId: DeliveryId,
    eventId: t.String({ description: 'Id of the github.webhook event published for it' }),
  },
  { title: 'DeliveryAccepted' },
)
export type DeliveryAccepted = Static<typeof DeliveryAccepted>

export const DeliveryDuplicate = t.Object(
  { duplicate: t.Literal(true), deliveryId: DeliveryId },
  { title: 'DeliveryDuplicate', description: 'Seen before: recorded once, published once' },
)
export type DeliveryDuplicate = Static<typeof DeliveryDuplicate>

export const DeliveryStatus = t.Union([t.Literal('queued'), t.Literal('published')], {
  description: 'queued: recorded, its latest event not yet on the bus; published: on the bus',
})
export type DeliveryStatus = Static<typeof DeliveryStatus>

export const WebhookDelivery = t.Object(
  {
    id: DeliveryId,
    event: t.String(),
    action: t.Union([t.String(), t.Null()]),
    repository: t.Union([t.String({ description: 'owner/name' }), t.Null()]),
    installationId: t.Union([t.Integer(), t.Null()]),
    status: DeliveryStatus,
    receivedAt: Time,
    payloadBytes: t.Integer({ description: 'Size of the payload as received' }),
    redeliveries: t.Integer({ description: 'Times it was re-published from this log' }),
    lastRedeliveredAt: t.Union([Time, t.Null()]),
  },
  { title: 'WebhookDelivery' },
)
export type WebhookDelivery = Static<typeof WebhookDelivery>

export const WebhookDeliveryDetail = t.Object(
  {
    ...WebhookDelivery.properties,
    headers: t.Record(t.String(), t.String(), {
      description: 'Request headers as received; signatures and other secret-like headers are redacted',
    }),
    payload: t.Unknown({ description: 'The payload as GitHub sent it' }),
    outcomes: t.Array(
      t.Object({
        source: t.String({ description: 'The service that acted on the delivery (aica: auto-dispatch)' }),
        workspaceId: t.Union([t.String(), t.Null()]),
        threadId: t.Union([t.String(), t.Null()]),
        reason: t.String({ description: 'started, or why nothing was started' }),
        at: t.String({ format: 'date-time' }),
      }),
      { description: 'What consumers made of the delivery, in the order they reported it' },
    ),
  },
  { title: 'WebhookDeliveryDetail' },
)
export type WebhookDeliveryDetail = Static<typeof WebhookDeliveryDetail>

export const WebhookDeliveryPage = Page(WebhookDelivery, 'WebhookDeliveryPage')

const repeatable = <T extends Parameters<typeof t.Array>[0]>(item: T, description: string) =>
  t.Optional(t.Array(item, { maxItems: 50, description: `${description} (repeatable)` }))

export const DeliverySort = t.Union(
  [t.Literal('received_at'), t.Literal('event'), t.Literal('action'), t.Literal('repository')],
  { description: 'Default received_at' },
)
export type DeliverySort = Static<typeof DeliverySort>

export const WebhookDeliveryListQuery = t.Object({
  ...PageQuery,
  event: repeatable(GithubEventName, 'Event name'),
  action: repeatable(t.String({ maxLength: 100 }), 'Payload action'),
  repository: repeatable(t.String({ maxLength: 201 }), 'Repository owner/name, case-insensitive'),
  status: repeatable(DeliveryStatus, 'Delivery status'),
  received_after: t.Optional(t.String({ format: 'date-time', description: 'Received at or after' })),
  received_before: t.Optional(t.String({ format: 'date-time', description: 'Received before' })),
  sort: t.Optional(DeliverySort),
  direction: t.Optional(Direction),
})
export type WebhookDeliveryListQuery = Static<typeof WebhookDeliveryListQuery>

export const DeliveryParams = t.Object({ id: DeliveryId })

export const Redelivered = t.Object(
  {
    deliveryId: DeliveryId,
    eventId: t.String({ description: 'Id of the new github.webhook event, marked redelivery: true' }),
  },
  { title: 'Redelivered' },
)
export type Redelivered = Static<typeof Redelivered>
