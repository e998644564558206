import { invalid, unauthorized } from '@bosun/service-kit/errors'
import { verify } from '@octokit/webhooks-methods'

const SIGNATURE = /^sha256=[0-9a-f]{64}$/
// fatal: bytes that are not UTF-8 fail instead of becoming U+FFFD, so the text verified is exactly the bytes received.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Checked before the body is read, so an unsigned caller cannot make us buffer 25 MB. */
export function assertSignatureShape(signature: string | undefined): string {
  if (!signature || !SIGNATURE.test(signature)) throw unauthorized('Missing or malformed X-Hub-Signature-256')
  return signature
}

/**
 * Verifies `X-Hub-Signature-256` against the raw body with each configured secret (rotation) and returns the
 * body as text. A body that is not UTF-8 cannot carry a valid GitHub signature.
 */
export async function verifiedText(secrets: readonly string[], raw: Uint8Array, signature: string) {
  let text: string
  try {
    text = utf8.decode(raw)
  } catch {
    throw unauthorized('Signature does not match')
  }
  if (text.length === 0) throw invalid('Empty body')
  for (const secret of secrets) if (await verify(secret, text, signature)) return text
  throw unauthorized('Signature does not match')
}
