import { type DeliveryAccepted, type DeliveryDuplicate, MAX_WEBHOOK_BYTES } from '@bosun/contracts/webhooks'
import { unavailable } from '@bosun/service-kit/errors'
import type { WebhooksDeps } from '../deps'
import { webhookSecrets } from '../env'
import type { Admitted } from './admission'
import { readDeclared, readLimited } from './body'
import { redactHeaders } from './headers'
import { bodyKind } from './payload'
import { assertSignatureShape } from './signature'
import { verifyDelivery } from './verify'

export type IncomingDelivery = {
  deliveryId: string
  event: string
  signature: string | undefined
  contentType: string | null
  contentLength: string | null
  traceparent: string | undefined
  headers: Headers
  /** Read whole when its Content-Length was declared, else a chunk at a time with a count. */
  request: Request
}

export type ReceiveResult = ({ duplicate: false } & DeliveryAccepted) | DeliveryDuplicate

/**
 * Accepts one GitHub delivery: nothing is stored or published unless the signature verifies, and the answer
 * comes only after the commit that records the delivery and its event together. The unique delivery id makes
 * any copy of it (concurrent, or after a restart) a duplicate.
 */
export function receiveDelivery(deps: WebhooksDeps, input: IncomingDelivery): Promise<ReceiveResult> {
  // Checked before a slot is taken: a caller that does not even claim a signature holds nothing.
  const signature = assertSignatureShape(input.signature)
  // A body without Content-Length (chunked) may grow to the limit: it takes one of the few slots kept for those.
  const length = Number(input.contentLength ?? Number.NaN)
  const declared = Number.isSafeInteger(length) && length >= 0 ? length : undefined
  const bytes = declared === undefined ? undefined : Math.min(declared, MAX_WEBHOOK_BYTES)
  return deps.admission.run(bytes, (admitted) =>
    receive(deps, input, { sized: declared !== undefined, signature, admitted }),
  )
}

async function receive(
  deps: WebhooksDeps,
  input: IncomingDelivery,
  { sized, signature, admitted }: { sized: boolean; signature: string; admitted: Admitted },
): Promise<ReceiveResult> {
  const receivedAt = Date.now()
  const secrets = webhookSecrets(deps.env)
  if (secrets.length === 0) throw unavailable('GITHUB_WEBHOOK_SECRET is not configured')
  const kind = bodyKind(input.contentType)
  const deadlineMs = deps.env.BOSUN_WEBHOOKS_BODY_TIMEOUT_MS
  const raw = sized
    ? await readDeclared(input.request, deadlineMs, admitted.signal)
    : await readLimited(input.request.body, MAX_WEBHOOK_BYTES, deadlineMs, admitted.signal)
  admitted.received()
  const { meta, json, zstd } = verifyDelivery(secrets, {
    raw,
    signature,
    kind,
    deliveryId: input.deliveryId,
    event: input.event,
  })
  const eventId = Bun.randomUUIDv7()
  const recorded = await deps.recorder.record({
    meta,
    receivedAt,
    headers: JSON.stringify(redactHeaders(input.headers)),
    payload: { json, zstd },
    eventId,
    traceparent: input.traceparent,
  })
  if (!recorded) return { duplicate: true, deliveryId: meta.deliveryId }
  return { duplicate: false, deliveryId: meta.deliveryId, eventId }
}
