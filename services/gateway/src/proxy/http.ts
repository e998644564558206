import type { Logger } from '@bosun/service-kit/log'
import { forwardHeaders, responseHeaders } from './headers'

export const errorResponse = (status: number, error: string, message: string, requestId: string) =>
  Response.json({ error, message }, { status, headers: { 'x-request-id': requestId } })

/** Streams the request to the owning service and its answer back; redirects are the browser's to follow. */
export async function proxyHttp(
  req: Request,
  upstream: string,
  ctx: { clientIp?: string; requestId: string; logger: Logger; service: string },
): Promise<Response> {
  const url = new URL(req.url)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  try {
    const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers: forwardHeaders(req, ctx.clientIp, ctx.requestId),
      body: hasBody ? req.body : undefined,
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
