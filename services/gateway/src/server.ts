import type { Logger } from '@bosun/service-kit/log'
import type { GatewayEnv } from './env'
import { errorResponse, proxyHttp } from './proxy/http'
import { connectUpstream, type SocketData, websocketHandlers } from './proxy/ws'
import { areaFor, MAX_BODY_BYTES, upstreams } from './routes-table'
import { legacySessionRedirect } from './web/legacy-session'
import { webApp } from './web/static'

type Handler = { handle(request: Request): Promise<Response> | Response }

/**
 * The gateway's Bun.serve options: `/api/*` is proxied by the routes table (HTTP and WebSocket) on a hot path
 * without a framework; the web app's files and shell are served from its build; ops and swagger are the
 * Elysia app.
 */
export function gatewayServer(opts: { env: GatewayEnv; app: Handler; logger: Logger }) {
  const targets = upstreams(opts.env)
  const web = webApp(opts.env.BOSUN_WEB_DIR)
  const legacy = legacySessionRedirect(
    opts.env.BOSUN_AICA_URL,
    async () => (await web(new Request('http://gateway/'), '/')) ?? new Response(null, { status: 404 }),
  )
  return {
    port: opts.env.PORT,
    hostname: opts.env.HOST,
    maxRequestBodySize: MAX_BODY_BYTES,
    websocket: websocketHandlers,
    async fetch(req: Request, server: Bun.Server<SocketData>): Promise<Response | undefined> {
      const url = new URL(req.url)
      const given = req.headers.get('x-request-id')
      const requestId = given && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : Bun.randomUUIDv7()
      if (!url.pathname.startsWith('/api/'))
        return (
          (await legacy(req, url.pathname, { clientIp: server.requestIP(req)?.address, requestId })) ??
          (await web(req, url.pathname)) ??
          opts.app.handle(req)
        )
      const area = areaFor(url.pathname)
      const upstream = area && targets[area.service]
      if (!area || !upstream) return errorResponse(404, 'not_found', 'No such API area', requestId)
      if (Number(req.headers.get('content-length') ?? 0) > area.maxBodyBytes) {
        const res = errorResponse(413, 'payload_too_large', `Body over ${area.maxBodyBytes} bytes`, requestId)
        // The body is never read, so the connection must not be reused.
        res.headers.set('connection', 'close')
        return res
      }
      if (req.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        const up = await connectUpstream(req, upstream, requestId, opts.env.BOSUN_GATEWAY_UPSTREAM_CONNECT_MS)
        if (!up.ok) return up.response
        if (server.upgrade(req, { data: up.data })) return undefined
        up.data.upstream.close()
        return errorResponse(400, 'invalid_request', 'WebSocket upgrade failed', requestId)
      }
      return proxyHttp(req, upstream, {
        clientIp: server.requestIP(req)?.address,
        requestId,
        logger: opts.logger,
        service: area.service,
        maxBodyBytes: area.maxBodyBytes,
      })
    },
  }
}
