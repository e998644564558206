/** Where a run's model calls really go, with the key that must never enter the sandbox. */
export type Upstream = { kind: string; baseURL: string; apiKey?: string }

/** One run's way to its model: a listener of its own that only that run's sandbox can reach. */
export type ProxyRoute = {
  /** The base URL opencode is configured with, as seen from where opencode runs. */
  url: string
  /** The per-run token opencode sends instead of the real key; it opens nothing but this listener. */
  token: string
  /** Points the run at another upstream (a pre-started opencode taken by a thread). */
  rebind(upstream: Upstream): void
  close(): void
}

const HOP = new Set(['host', 'authorization', 'x-api-key', 'content-length', 'connection', 'accept-encoding'])

/**
 * The calls opencode's two provider packages make. The key is the team's (shared credentials); with it,
 * the rest of a provider's API (files, batches, fine-tunes, organization admin) must stay out of reach of
 * an agent that a planted issue may be steering.
 */
const ALLOWED = new Set(['POST /chat/completions', 'POST /messages', 'GET /models'])

/**
 * Starts a run's model proxy. With `unix`, it listens on that socket only (bound into the sandbox, whose
 * bridge makes it `http://127.0.0.1:<insidePort>` there); else on a loopback port (the unsandboxed backend).
 * The provider key stays in the runner, so nothing the agent prints can contain it.
 */
export function openModelRoute(
  upstream: Upstream,
  listen: { unix: string; insidePort: number } | { tcp: true },
): ProxyRoute {
  let current = upstream
  const token = `bosun-run-${crypto.randomUUID()}`
  const fetch = (req: Request) => forward(req, token, current)
  const server =
    'unix' in listen
      ? // A model may think for minutes before its first byte; Bun's types omit idleTimeout for sockets, it honours it.
        Bun.serve({ unix: listen.unix, fetch, ...({ idleTimeout: 0 } as object) })
      : Bun.serve({ port: 0, hostname: '127.0.0.1', idleTimeout: 0, fetch })
  return {
    url: 'unix' in listen ? `http://127.0.0.1:${listen.insidePort}/v1` : `http://127.0.0.1:${server.port}/v1`,
    token,
    rebind(next) {
      current = next
    },
    close: () => void server.stop(true),
  }
}

async function forward(req: Request, token: string, upstream: Upstream): Promise<Response> {
  const given =
    req.headers.get('x-api-key') ?? req.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? ''
  if (given !== token) return Response.json({ error: { message: 'unknown run token' } }, { status: 401 })
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
}
