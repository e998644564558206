import { AppError } from '@bosun/service-kit/errors'

/**
 * Reads a request body up to `max` bytes, counting as it goes: a chunked body has no Content-Length to check
 * up front, so the count stops a too-large one without holding all of it.
 */
export async function readLimited(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > max) {
      await body.cancel().catch(() => {})
      throw new AppError('payload_too_large', `Body over ${max} bytes`)
    }
    chunks.push(chunk)
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}
