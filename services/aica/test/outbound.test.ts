import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Thread } from '@bosun/contracts/aica'
import type { HealthCheckResult } from '@bosun/contracts/aica-admin'
import { type Canary, type FakeProvider, startCanary, startFakeProvider } from '@bosun/testkit/canary'
import { openRelay } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { createApp } from '../src/app'
import { type Harness, startHarness } from './harness'

// Suites start real processes and restart services; 5 s is too tight on a shared machine.
setDefaultTimeout(60_000)

let h: Harness
let canary: Canary
let provider: FakeProvider
let callbacks: { server: ReturnType<typeof Bun.serve>; bodies: unknown[] }
const SECRET = `upstream-secret-${crypto.randomUUID()}`

beforeAll(async () => {
  canary = startCanary()
  provider = startFakeProvider({
    key: 'sk-good',
    secretInBody: SECRET,
    redirectTo: `${canary.url}/redirected`,
  })
  const bodies: unknown[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      bodies.push(await req.json())
      return new Response(null, { status: 204 })
    },
  })
  callbacks = { server, bodies }
  // Only the callback receiver is allowlisted for the service itself; the probe apps below choose their own.
  h = await startHarness({ BOSUN_OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${server.port}` })
}, 120_000)
afterAll(async () => {
  await h.stop()
  canary.stop()
  provider.stop()
  callbacks.server.stop(true)
}, 60_000)

/** An app on the same service state whose outbound allowlist is exactly `allow`. */
function appWith(allow: string) {
  const app = createApp({ ...h.deps, env: { ...h.deps.env, BOSUN_OUTBOUND_ALLOW_HOSTS: allow } })
  return async (body: unknown) => {
    const res = await app.handle(
      new Request('http://aica/api/providers/health-check', {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    )
    return { status: res.status, text: await res.text() }
  }
}

describe('provider health probe', () => {
  test('~25 SSRF payloads aimed at a loopback canary: all refused, zero hits', async () => {
    const probe = appWith('')
    const p = canary.port
    const payloads = [
      `http://127.0.0.1:${p}`,
      `http://localhost:${p}`,
      `http://sub.localhost:${p}`,
      `http://ip6-localhost:${p}`,
      `http://2130706433:${p}`,
      `http://0x7f000001:${p}`,
      `http://0177.0.0.1:${p}`,
      `http://0x7f.0.0.1:${p}`,
      `http://127.1:${p}`,
      `http://127.000.000.001:${p}`,
      `http://127.0.0.1.:${p}`,
      `http://0.0.0.0:${p}`,
      `http://0:${p}`,
      `http://[::1]:${p}`,
      `http://[::]:${p}`,
      `http://[::ffff:127.0.0.1]:${p}`,
      `http://[::ffff:7f00:1]:${p}`,
      `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}`,
      `http://[::127.0.0.1]:${p}`,
      `http://[64:ff9b::127.0.0.1]:${p}`,
      `http://[fe80::1]:${p}`,
      `http://evil.example@127.0.0.1:${p}`,
      `http://127.0.0.1:${p}@evil.example`,
      `http://127.0.0.1%2e:${p}`,
      `http://169.254.169.254/latest/meta-data`,
      `http://metadata.google.internal`,
      `http://10.0.0.1:${p}`,
      `http://100.64.0.1:${p}`,
      `file:///etc/passwd`,
      `gopher://127.0.0.1:${p}`,
    ]
    for (const baseURL of payloads) {
      const res = await probe({ kind: 'openai-compatible', apiKey: 'sk-x', baseURL })
      expect(res.status).toBe(200)
      const body = JSON.parse(res.text) as HealthCheckResult
      expect({ baseURL, ok: body.ok, status: body.status }).toEqual({ baseURL, ok: false, status: 'refused' })
    }
    expect(canary.hits).toEqual([])
  })

  test('against an allowlisted fake provider: ok, 401, no redirects followed, upstream body never echoed', async () => {
    const probe = appWith(provider.host)
    const ok = await probe({ kind: 'openai-compatible', apiKey: 'sk-good', baseURL: `${provider.url}/v1` })
    expect(JSON.parse(ok.text)).toMatchObject({ ok: true, status: 'ok', httpStatus: 200 })
    const bad = await probe({ kind: 'openai-compatible', apiKey: 'sk-bad', baseURL: `${provider.url}/v1` })
    expect(JSON.parse(bad.text)).toMatchObject({ ok: false, status: 'unauthorized', httpStatus: 401 })
    const redirect = await probe({
      kind: 'openai-compatible',
      apiKey: 'sk-good',
      baseURL: `${provider.url}/redirect/v1`,
    })
    expect(JSON.parse(redirect.text)).toMatchObject({ ok: false, status: 'upstream_error', httpStatus: 302 })
    for (const r of [ok, bad, redirect]) expect(r.text).not.toContain(SECRET)
    expect(canary.hits).toEqual([])
    // The service's own allowlist does not include the provider.
    const strict = await h.req('POST', '/api/providers/health-check', 'alice', {
      kind: 'openai-compatible',
      apiKey: 'sk-good',
      baseURL: `${provider.url}/v1`,
    })
    expect(((await strict.json()) as HealthCheckResult).status).toBe('refused')
  })
})

describe('callbacks', () => {
  test('a thread that ends POSTs a minimal payload to its callback; a refused URL is recorded, the thread unchanged', async () => {
    const ws = await h.workspace(['alice'])
    const good = await h.dispatch('alice', {
      workspace: ws,
      prompt: 'call me back',
      callbackUrl: `http://127.0.0.1:${callbacks.server.port}/done`,
    })
    const refused = await h.dispatch('alice', {
      workspace: ws,
      prompt: 'call the canary',
      callbackUrl: `${canary.url}/callback`,
    })
    for (const d of [good, refused]) {
      const work = await h.workFor(d.thread.id)
      const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
      await relay.next('welcome')
      relay.status(d.thread.id, 'running')
      relay.status(d.thread.id, 'completed')
      relay.close()
    }
    const thread = async (id: string) =>
      ((await (await h.req('GET', `/api/agent-sessions/${id}`, 'alice')).json()) as { thread: Thread }).thread
    await waitFor(
      async () => (await thread(good.thread.id)).callback?.state === 'sent',
      15_000,
      'callback sent',
    )
    await waitFor(
      async () => (await thread(refused.thread.id)).callback?.state === 'failed',
      15_000,
      'callback failed',
    )
    expect(callbacks.bodies).toEqual([
      expect.objectContaining({ threadId: good.thread.id, status: 'completed', workspaceId: ws }),
    ])
    expect(Object.keys(callbacks.bodies[0] as object).sort()).toEqual(
      ['at', 'attempt', 'error', 'status', 'threadId', 'workspaceId', 'worktreeId'].sort(),
    )
    const failed = await thread(refused.thread.id)
    expect(failed.status).toBe('completed')
    expect(failed.callback?.error).toContain('refused')
    expect(canary.hits).toEqual([])
  })
})
