/** Where a run's model calls really go, with the key that must never enter the sandbox. */
export type Upstream = { kind: string; baseURL: string; apiKey?: string }

export type ModelProxy = {
  /** Base URL opencode is configured with (`…/v1`). */
  url: string
  /** Registers a run; the returned token is what opencode sends instead of the real key. */
  open(upstream: Upstream): string
  /** Points a run's token at another upstream (a pre-started opencode taken by a thread). */
  rebind(token: string, upstream: Upstream): void
  close(token: string): void
  stop(): void
}

const HOP = new Set(['host', 'authorization', 'x-api-key', 'content-length', 'connection', 'accept-encoding'])

/**
 * The calls opencode's two provider packages make. The key is the team's (shared credentials); with it,
 * the rest of a provider's API (files, batches, fine-tunes, organization admin) must stay out of reach of
 * an agent that a planted issue may be steering.
 */
const ALLOWED = new Set(['POST /chat/completions', 'POST /messages', 'GET /models'])

/**
 * A loopback forwarder between the sandboxed agent and its model provider. The agent holds only a per-run
 * token; the provider key stays in the runner, so nothing the agent prints can contain it.
 */
export function startModelProxy(): ModelProxy {
  const routes = new Map<string, Upstream>()
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    fetch: async (req) => {
      const token =
        req.headers.get('x-api-key') ?? req.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? ''
      const upstream = routes.get(token)
      if (!upstream) return Response.json({ error: { message: 'unknown run token' } }, { status: 401 })
      const url = new URL(req.url)
      const path = url.pathname.replace(/^\/v1/, '')
      if (!ALLOWED.has(`${req.method} ${path}`))
        return Response.json({ error: { message: 'not a model call' } }, { status: 404 })
      const target = `${upstream.baseURL.replace(/\/+$/, '')}${path}${url.search}`
      const headers = new Headers()
      for (const [k, v] of req.headers) if (!HOP.has(k.toLowerCase())) headers.set(k, v)
      if (upstream.apiKey) {
        if (upstream.kind === 'anthropic') headers.set('x-api-key', upstream.apiKey)
        else headers.set('authorization', `Bearer ${upstream.apiKey}`)
      }
      const res = await fetch(target, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer(),
        redirect: 'manual',
      }).catch(() => null)
      if (!res) return Response.json({ error: { message: 'model provider unreachable' } }, { status: 502 })
      const out = new Headers(res.headers)
      out.delete('content-encoding')
      out.delete('content-length')
      return new Response(res.body, { status: res.status, headers: out })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    open(upstream) {
      const token = `bosun-run-${crypto.randomUUID()}`
      routes.set(token, upstream)
      return token
    },
    rebind(token, upstream) {
      if (routes.has(token)) routes.set(token, upstream)
    },
    close: (token) => routes.delete(token),
    stop: () => void server.stop(true),
  }
}
