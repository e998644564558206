import { githubWebhook } from '@bosun/contracts/github'
import type { Bus } from '@bosun/service-kit/bus'
import type { Tx } from '@bosun/service-kit/db'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import type * as schema from './db/schema'

/** What a published delivery carries besides its payload. */
export type DeliveryMeta = {
  deliveryId: string
  event: string
  action: string | null
  repository: string | null
  installationId: number | null
}

/** Room for the envelope and headers around a payload in one bus message. */
const ENVELOPE_ROOM = 16 * 1024
const DEFAULT_MAX_PAYLOAD = 1024 * 1024

/**
 * The one thing webhooks publishes: `github.webhook` on `<prefix>.evt.github.<event>.<action>`, through the
 * outbox. A payload too large for a NATS message travels without its body (`payloadOmitted`).
 */
export function enqueueDelivery(
  tx: Tx<typeof schema>,
  bus: Bus,
  meta: DeliveryMeta,
  /** The payload as the UTF-8 JSON it arrived as (published verbatim, a JSON object), and its zstd. */
  payload: { json: Uint8Array; zstd: Uint8Array },
  opts: { id: string; redelivery: boolean; traceparent?: string },
) {
  const omit = payload.json.byteLength > (bus.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - ENVELOPE_ROOM
  return enqueueEvent(
    tx,
    bus,
    githubWebhook,
    {
      deliveryId: meta.deliveryId,
      event: meta.event,
      ...(meta.action === null ? {} : { action: meta.action }),
      ...(meta.repository === null ? {} : { repository: meta.repository }),
      ...(meta.installationId === null ? {} : { installationId: meta.installationId }),
      redelivery: opts.redelivery,
      // Written from `payload.json`; the schema takes any value, so nothing is parsed for it.
      payload: omit ? null : {},
      ...(omit ? { payloadOmitted: true } : {}),
    },
    {
      id: opts.id,
      traceparent: opts.traceparent,
      verbatim: omit ? undefined : { key: 'payload', json: payload.json, zstd: payload.zstd },
    },
  )
}
