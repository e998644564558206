import { leftBodyUnread } from '@bosun/service-kit/app'
import { AppError, invalid } from '@bosun/service-kit/errors'

/** The body did not arrive in time; it is left unread, so the answer closes the connection. */
const tooSlow = (deadlineMs: number) => leftBodyUnread(invalid(`Body not received within ${deadlineMs} ms`))

/** The slot was given to a delivery that needed it while this body was still arriving. */
const outwaited = () =>
  leftBodyUnread(
    new AppError('unavailable', 'Body still arriving while other deliveries waited; send it at once'),
  )

/**
 * Reads a body whose Content-Length was declared (and checked against the limit before) whole, within
 * `deadlineMs`: one read instead of a chunk at a time. A late body is answered at the deadline; the answer closes
 * the connection, which ends the read and frees what it held.
 */
export async function readDeclared(
  request: Request,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort = () => {}
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow(deadlineMs)), deadlineMs)
    onAbort = () => reject(outwaited())
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return new Uint8Array(await Promise.race([request.arrayBuffer(), late]))
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Reads a request body up to `max` bytes within `deadlineMs`, counting as it goes: a chunked body has no
 * Content-Length to check up front, so the count stops a too-large one without holding all of it, and the
 * deadline stops a sender that trickles bytes to hold a delivery slot (GitHub itself gives up after 10 s).
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  let late = false
  const timer = setTimeout(() => {
    late = true
    reader.cancel().catch(() => {})
  }, deadlineMs)
  const onAbort = () => reader.cancel().catch(() => {})
  signal.addEventListener('abort', onAbort, { once: true })
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > max) {
        await reader.cancel().catch(() => {})
        throw new AppError('payload_too_large', `Body over ${max} bytes`)
      }
      chunks.push(value)
    }
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
  if (signal.aborted) throw outwaited()
  if (late) throw tooSlow(deadlineMs)
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}
