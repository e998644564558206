import { AppError, invalid } from '@bosun/service-kit/errors'

/** A request's body: as a stream, or read whole by the server (which holds it to its Content-Length). */
export type IncomingBody = Pick<Request, 'body' | 'arrayBuffer'>

/**
 * Reads a request body up to `max` bytes within `deadlineMs`. The deadline stops a sender that trickles bytes to
 * hold a delivery slot (GitHub itself gives up after 10 s). A declared length within `max` (what GitHub sends) is
 * read whole by the server, which costs far less than pulling the stream chunk by chunk in JavaScript.
 */
export function readLimited(
  body: IncomingBody,
  declared: number | undefined,
  max: number,
  deadlineMs: number,
): Promise<Uint8Array> {
  if (declared === undefined || declared > max) return readCounting(body.body, max, deadlineMs)
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(invalid(`Body not received within ${deadlineMs} ms`))
    }, deadlineMs)
  })
  return Promise.race([body.arrayBuffer().then((b) => new Uint8Array(b)), late]).finally(() =>
    clearTimeout(timer),
  )
}

/**
 * A chunked body has no Content-Length to check up front: counting as it goes stops a too-large one without
 * holding all of it.
 */
async function readCounting(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  deadlineMs: number,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  let late = false
  const timer = setTimeout(() => {
    late = true
    reader.cancel().catch(() => {})
  }, deadlineMs)
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
  }
  if (late) throw invalid(`Body not received within ${deadlineMs} ms`)
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}
