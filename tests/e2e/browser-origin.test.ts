import { afterAll, beforeAll, expect, test } from 'bun:test'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'

/**
 * A page of another origin on the same site (another port, a sibling subdomain) gets the session cookie sent
 * along: through the gateway, cookie-authenticated writes and WebSocket upgrades from it are refused, form
 * bodies are refused everywhere, and an anonymous caller learns 401 before anything about the body.
 */
let stack: Stack
let cookie: string
const EXTENSION = 'chrome-extension://bosunextensionid'

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'octo-admin', BOSUN_EXTENSION_ORIGINS: EXTENSION },
  })
  cookie = `${SESSION_COOKIE}=${await signIn(stack.publicUrl, 'octo-admin')}`
}, 60_000)

afterAll(async () => {
  await stack.stop()
})

const createWorkspace = (headers: Record<string, string>, body?: string) => {
  const id = `w${crypto.randomUUID().slice(0, 8)}`
  return fetch(`${stack.publicUrl}/api/workspaces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body ?? JSON.stringify({ id, name: id }),
  })
}

test('a cookie write from another origin of the same site is refused; the app and the extension write', async () => {
  const port = Number(new URL(stack.publicUrl).port)
  for (const origin of [`http://127.0.0.1:${port + 1}`, 'http://evil.127.0.0.1.nip.io', 'null']) {
    const res = await createWorkspace({ cookie, origin })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { error: string }).error).toBe('forbidden')
  }
  expect((await createWorkspace({ cookie, 'sec-fetch-site': 'same-site' })).status).toBe(403)
  expect((await createWorkspace({ cookie, origin: new URL(stack.publicUrl).origin })).status).toBe(201)
  expect((await createWorkspace({ cookie, origin: EXTENSION })).status).toBe(201)
  expect((await createWorkspace({ cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(201)
  // A bearer credential is no ambient authority: another origin could not have added it.
  expect(
    (await createWorkspace({ authorization: `Bearer ${stack.bootstrapKey}`, origin: 'http://elsewhere' }))
      .status,
  ).toBe(201)
})

test('a form-encoded body is refused with 415, from the app origin too', async () => {
  const res = await fetch(`${stack.publicUrl}/api/workspaces`, {
    method: 'POST',
    headers: {
      cookie,
      origin: new URL(stack.publicUrl).origin,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'id=formed&name=formed',
  })
  expect(res.status).toBe(415)
  expect(((await res.json()) as { error: string }).error).toBe('unsupported_media_type')
})

test('an anonymous caller gets 401 before any word about its body', async () => {
  for (const body of [
    JSON.stringify({ id: 'no spaces allowed here' }),
    JSON.stringify({ id: 5, extra: [] }),
  ]) {
    const res = await createWorkspace({}, body)
    expect(res.status).toBe(401)
  }
})

/** Opens a workspace's realtime socket through the gateway with these headers: its snapshot, or refused. */
function realtime(id: string, headers: Record<string, string>): Promise<'snapshot' | 'refused'> {
  return new Promise((resolve) => {
    // Bun's WebSocket takes headers in its options, which the DOM typing does not know.
    const ws = new WebSocket(`${stack.publicUrl.replace('http', 'ws')}/api/workspaces/${id}/realtime`, {
      headers,
    } as unknown as string[])
    ws.onmessage = () => {
      ws.close()
      resolve('snapshot')
    }
    ws.onerror = () => resolve('refused')
  })
}

test('a WebSocket upgrade with the cookie from another origin, or null, is refused; the app origin opens', async () => {
  const id = `w${crypto.randomUUID().slice(0, 8)}`
  expect((await createWorkspace({ cookie }, JSON.stringify({ id, name: id }))).status).toBe(201)
  const port = Number(new URL(stack.publicUrl).port)
  expect(await realtime(id, { cookie, origin: new URL(stack.publicUrl).origin })).toBe('snapshot')
  expect(await realtime(id, { cookie, origin: `http://127.0.0.1:${port + 1}` })).toBe('refused')
  expect(await realtime(id, { cookie, origin: 'null' })).toBe('refused')
})
