import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { freePort, tempDir, waitFor } from '@bosun/testkit/wait'
import { createApp } from '../src/app'
import { GatewayEnv } from '../src/env'
import { gatewayServer } from '../src/server'

const logger = createLogger('gateway-test', 'silent')
type Seen = { path: string; headers: Headers; body: string }
const seen: Record<string, Seen[]> = { auth: [], workspace: [], artifacts: [] }

/** Stand-ins for services: plain Bun servers that record what reached them. */
function upstream(name: string) {
  return Bun.serve<{ name: string }, never>({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req, server) {
      const url = new URL(req.url)
      if (url.pathname.endsWith('/realtime')) {
        if (req.headers.get('authorization') !== 'Bearer ok')
          return Response.json({ error: 'unauthorized', message: 'Sign in first' }, { status: 401 })
        return server.upgrade(req, { data: { name } }) ? undefined : new Response('no', { status: 400 })
      }
      seen[name]!.push({ path: url.pathname + url.search, headers: req.headers, body: await req.text() })
      if (url.pathname.endsWith('/redirect'))
        return new Response(null, { status: 302, headers: { location: '/elsewhere' } })
      const headers = new Headers({ 'content-type': 'application/json' })
      headers.append('set-cookie', 'a=1; Path=/')
      headers.append('set-cookie', 'b=2; Path=/')
      return new Response(JSON.stringify({ from: name }), { status: 200, headers })
    },
    websocket: {
      open(ws) {
        ws.send(`hello from ${ws.data.name}`)
      },
      message(ws, msg) {
        ws.send(`echo:${msg}`)
      },
    },
  })
}

const ups = { auth: upstream('auth'), workspace: upstream('workspace'), artifacts: upstream('artifacts') }
/** A service that accepts connections and never answers. */
const silent = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
let gateway: ReturnType<typeof Bun.serve>
let base: string

/** A web build as packages/web leaves it: the shell and hashed assets, one with its gzip beside it. */
const web = tempDir('gateway-web-')
const SHELL =
  '<!doctype html><title>Bosun</title><script type="module" src="/assets/main-abc123.js"></script>'
const JS = 'console.log("bosun")'
await Bun.write(`${web.path}/index.html`, SHELL)
await Bun.write(`${web.path}/assets/main-abc123.js`, JS)
await Bun.write(`${web.path}/assets/main-abc123.js.gz`, Bun.gzipSync(JS))
await Bun.write(`${web.path}/assets/main-def456.css`, 'body{}')
// A lazily imported chunk, named by Bun's splitting after its module (hyphens included).
await Bun.write(`${web.path}/assets/rich-diff-gnxadpby.js`, 'export default 1')

beforeAll(async () => {
  const dead = await freePort()
  const env = parseEnv(GatewayEnv, {
    PORT: '0',
    BOSUN_AUTH_URL: `http://127.0.0.1:${ups.auth.port}`,
    BOSUN_WORKSPACE_URL: `http://127.0.0.1:${ups.workspace.port}`,
    BOSUN_ARTIFACTS_URL: `http://127.0.0.1:${ups.artifacts.port}`,
    BOSUN_DASHBOARD_URL: `http://127.0.0.1:${dead}`,
    BOSUN_AICA_URL: `http://127.0.0.1:${silent.port}`,
    BOSUN_GATEWAY_UPSTREAM_CONNECT_MS: '300',
    BOSUN_WEB_DIR: web.path,
  })
  gateway = Bun.serve(gatewayServer({ env, app: createApp({ logger }), logger }) as never)
  base = `http://127.0.0.1:${gateway.port}`
})

afterAll(() => {
  gateway.stop(true)
  for (const u of Object.values(ups)) u.stop(true)
  silent.stop(true)
  web[Symbol.dispose]()
})

describe('HTTP routing', () => {
  test('each /api area reaches its service by the table; the specific row wins', async () => {
    expect(await (await fetch(`${base}/api/auth/session`)).json()).toEqual({ from: 'auth' })
    expect(await (await fetch(`${base}/api/workspaces/acme/snapshot`)).json()).toEqual({ from: 'workspace' })
    expect(await (await fetch(`${base}/api/workspaces/acme/artifacts/pr/o/r/1`)).json()).toEqual({
      from: 'artifacts',
    })
  })

  test('bodies stream through, cookies both ways, forwarding headers set, redirects passed on', async () => {
    const body = 'x'.repeat(200_000)
    const res = await fetch(`${base}/api/workspaces/acme/team-members?q=1`, {
      method: 'POST',
      headers: { cookie: 'bosun_session=abc', 'content-type': 'application/json', 'x-request-id': 'req-42' },
      body,
    })
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    const hit = seen.workspace!.at(-1)!
    expect(hit.path).toBe('/api/workspaces/acme/team-members?q=1')
    expect(hit.body.length).toBe(body.length)
    expect(hit.headers.get('cookie')).toBe('bosun_session=abc')
    expect(hit.headers.get('x-forwarded-for')).toBe('127.0.0.1')
    expect(hit.headers.get('x-request-id')).toBe('req-42')
    const redirect = await fetch(`${base}/api/auth/redirect`, { redirect: 'manual' })
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('/elsewhere')
  })

  test('unknown areas are 404, dead services 503, oversized bodies 413 — all in our error shape', async () => {
    const unknown = await fetch(`${base}/api/nope`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: 'not_found' })
    const dead = await fetch(`${base}/api/dashboard/prs`)
    expect(dead.status).toBe(503)
    expect(await dead.json()).toMatchObject({ error: 'unavailable' })
    const big = await fetch(`${base}/api/auth/x`, { method: 'POST', body: 'x'.repeat(3 * 1024 * 1024) })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ error: 'payload_too_large' })
    // Chunked, so no Content-Length says how large it is: counted as it streams through.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
    let sent = 0
    const chunked = await fetch(`${base}/api/auth/x`, {
      method: 'POST',
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 64) controller.enqueue(chunk)
          else controller.close()
        },
      }),
    })
    expect(chunked.status).toBe(413)
    expect(await chunked.json()).toMatchObject({ error: 'payload_too_large' })
  })

  test('health and swagger are the gateway’s own', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' })
    expect((await fetch(`${base}/swagger/json`)).status).toBe(200)
  })
})

describe('the web app', () => {
  test('every non-API page is the shell, never cached, so deep links work', async () => {
    for (const path of [
      '/',
      '/login?next=%2Fprs',
      '/prs',
      '/dashboard/vetted-author/octo-dev',
      '/no/such/page',
    ]) {
      const res = await fetch(`${base}${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('content-type')).toContain('text/html')
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(await res.text()).toBe(SHELL)
    }
    expect((await fetch(`${base}/prs`, { method: 'POST' })).status).toBe(404)
  })

  test('hashed assets are immutable, gzipped when asked and available; unknown ones are 404', async () => {
    const js = await fetch(`${base}/assets/main-abc123.js`, { headers: { 'accept-encoding': 'identity' } })
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(js.headers.get('content-type')).toContain('javascript')
    expect(js.headers.get('content-encoding')).toBeNull()
    expect(await js.text()).toBe(JS)
    const gz = await fetch(`${base}/assets/main-abc123.js`, {
      headers: { 'accept-encoding': 'gzip' },
      decompress: false,
    } as RequestInit)
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer())))).toBe(JS)
    const css = await fetch(`${base}/assets/main-def456.css`)
    expect(css.headers.get('content-type')).toContain('text/css')
    expect(css.headers.get('cache-control')).toContain('immutable')
    const chunk = await fetch(`${base}/assets/rich-diff-gnxadpby.js`)
    expect(chunk.status).toBe(200)
    expect(chunk.headers.get('content-type')).toContain('javascript')
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    for (const path of ['/assets/main-zzz999.js', '/assets/..%2Findex.html']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status).toBe(404)
      expect(res.headers.get('cache-control')).toBeNull()
    }
  })
})

describe('WebSocket routing', () => {
  /** A WebSocket upgrade request made with plain fetch, so the answer to a refused upgrade can be read. */
  const upgrade = (path: string) =>
    fetch(`${base}${path}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    })

  test('messages flow both ways through the gateway', async () => {
    const got: string[] = []
    const sock = new WebSocket(`${base.replace('http', 'ws')}/api/workspaces/acme/realtime`, {
      headers: { authorization: 'Bearer ok' },
    } as never)
    sock.onmessage = (e) => got.push(String(e.data))
    await waitFor(() => got.length === 1, 5000, 'hello')
    expect(got[0]).toBe('hello from workspace')
    sock.send('ping')
    await waitFor(() => got.length === 2, 5000, 'echo')
    expect(got[1]).toBe('echo:ping')
    sock.close()
  })

  test('a service that never answers the upgrade is 503 once the connect timeout passes', async () => {
    const started = performance.now()
    const res = await upgrade('/api/agent-sessions/x/realtime')
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: 'unavailable' })
    // Both waits (the upgrade, then asking why) are bounded by the 300 ms timeout.
    expect(performance.now() - started).toBeGreaterThanOrEqual(300)
  })

  test("an upstream refusal reaches the client as the upstream's HTTP answer", async () => {
    const res = await upgrade('/api/workspaces/acme/realtime')
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'unauthorized' })
  })
})
