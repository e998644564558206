import type { Logger } from '@bosun/service-kit/log'
import { forwardHeaders, responseHeaders } from './headers'

export const errorResponse = (status: number, error: string, message: string, requestId: string) =>
  Response.json({ error, message }, { status, headers: { 'x-request-id': requestId } })

/** Streams the request to the owning service and its answer back; redirects are the browser's to follow. */
/**
 * A body without a Content-Length (chunked) is counted as it streams through and cut off past the area's limit,
 * so the limit holds for it too; the flag tells the answer apart from an unreachable service.
 */
function capped(body: ReadableStream<Uint8Array>, max: number) {
  const state = { over: false }
  let seen = 0
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > max) {
          state.over = true
          controller.error(new Error(`Body over ${max} bytes`))
          return
        }
        controller.enqueue(chunk)
      },
    }),
  )
  return { stream, state }
}

export async function proxyHttp(
  req: Request,
  upstream: string,
  ctx: { clientIp?: string; requestId: string; logger: Logger; service: string; maxBodyBytes: number },
): Promise<Response> {
  const url = new URL(req.url)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null
  const unsized = hasBody && !req.headers.has('content-length')
  const chunked = unsized && req.body ? capped(req.body, ctx.maxBodyBytes) : undefined
  try {
    const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers: forwardHeaders(req, ctx.clientIp, ctx.requestId),
      body: hasBody ? (chunked?.stream ?? req.body) : undefined,
      redirect: 'manual',
      // Bun-specific: pass compressed bodies through untouched so Content-Encoding stays true.
      decompress: false,
    } as RequestInit)
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: responseHeaders(res.headers),
    })
  } catch (err) {
    if (chunked?.state.over) {
      const res = errorResponse(
        413,
        'payload_too_large',
        `Body over ${ctx.maxBodyBytes} bytes`,
        ctx.requestId,
      )
      res.headers.set('connection', 'close')
      return res
    }
    // The client went away mid-upload: the service is fine, and nobody reads this answer.
    if (req.signal.aborted)
      return errorResponse(499, 'invalid_request', 'The client closed the request', ctx.requestId)
    ctx.logger.warn('upstream unreachable', {
      service: ctx.service,
      requestId: ctx.requestId,
      err: String(err),
    })
    return errorResponse(503, 'unavailable', `The ${ctx.service} service is unavailable`, ctx.requestId)
  }
}
