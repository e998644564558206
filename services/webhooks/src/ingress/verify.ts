import type { DeliveryMeta } from '../bus'
import { type BodyKind, describe, parsePayload } from './payload'
import { verifiedText } from './signature'

/** A delivery as read, before anything about it is trusted. */
export type Unverified = {
  raw: Uint8Array
  signature: string
  kind: BodyKind
  deliveryId: string
  event: string
}

/** A delivery whose signature verified: what it routes on, its payload JSON (UTF-8) and the zstd stored of it. */
export type Verified = { meta: DeliveryMeta; json: Uint8Array; zstd: Uint8Array }

const encoder = new TextEncoder()

/** Verifies, parses and compresses one delivery; throws the AppError its caller answers with. */
export function verifyDelivery(secrets: readonly string[], d: Unverified): Verified {
  const text = verifiedText(secrets, d.raw, d.signature)
  const payload = parsePayload(d.kind, text)
  const json = d.kind === 'json' ? d.raw : encoder.encode(payload.json)
  return {
    meta: describe(d.deliveryId, d.event, payload.value),
    json,
    zstd: Bun.zstdCompressSync(json, { level: 1 }),
  }
}
