import { createHmac, timingSafeEqual } from 'node:crypto'
import { invalid, unauthorized } from '@bosun/service-kit/errors'

const SIGNATURE = /^sha256=[0-9a-f]{64}$/
// fatal: bytes that are not UTF-8 fail instead of becoming U+FFFD, so the text parsed is exactly the bytes signed.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Checked before the body is read, so an unsigned caller cannot make us buffer 25 MB. */
export function assertSignatureShape(signature: string | undefined): string {
  if (!signature || !SIGNATURE.test(signature)) throw unauthorized('Missing or malformed X-Hub-Signature-256')
  return signature
}

/**
 * Verifies `X-Hub-Signature-256` (HMAC-SHA256 of the raw body) with each configured secret (rotation), comparing
 * in constant time, and returns the body as text: JSON that is not UTF-8 is refused even when signed.
 */
export function verifiedText(secrets: readonly string[], raw: Uint8Array, signature: string): string {
  const expected = Buffer.from(signature.slice('sha256='.length), 'hex')
  const signed = secrets.some((secret) =>
    timingSafeEqual(createHmac('sha256', secret).update(raw).digest(), expected),
  )
  if (!signed) throw unauthorized('Signature does not match')
  if (raw.byteLength === 0) throw invalid('Empty body')
  try {
    return utf8.decode(raw)
  } catch {
    throw invalid('Body is not UTF-8')
  }
}
