import { afterAll, beforeAll, expect, test } from 'bun:test'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'

/** Each limit reached through the gateway is 429 with Retry-After; what was fine before stays fine. */
let stack: Stack
let member: string
const key = () => ({ authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' })

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'gateway'],
    env: {
      BOSUN_ADMIN_LOGINS: 'octo-admin',
      BOSUN_RATE_FAILED_KEY_LOOKUPS: '3',
      // One of these goes to the member's sign-in below.
      BOSUN_RATE_OAUTH_CALLBACKS_PER_MINUTE: '4',
      BOSUN_RATE_DISPATCHES_PER_MINUTE: '2',
      BOSUN_RATE_SOCKETS_PER_PERSON: '2',
    },
  })
  const api = (path: string, body: unknown) =>
    fetch(`${stack.publicUrl}${path}`, { method: 'POST', headers: key(), body: JSON.stringify(body) })
  expect((await api('/api/workspaces', { id: 'rl', name: 'Limits' })).status).toBe(201)
  expect(
    (
      await api('/api/workspaces/rl/repositories', {
        fullName: 'demo-org/demo-repo',
        isDefaultForAgents: true,
      })
    ).status,
  ).toBe(201)
  await invite(stack.publicUrl, stack.bootstrapKey, 'octo-dev')
  expect((await api('/api/workspaces/rl/team-members', { login: 'octo-dev' })).status).toBeLessThan(300)
  member = await signIn(stack.publicUrl, 'octo-dev')
}, 90_000)

afterAll(async () => {
  await stack.stop()
})

const expect429 = async (res: Response) => {
  expect(res.status).toBe(429)
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(((await res.json()) as { error: string }).error).toBe('rate_limited')
}

test('failed API-key lookups from one address: 401s, then 429; a key already verified still works', async () => {
  const workspaces = `${stack.publicUrl}/api/workspaces`
  expect((await fetch(workspaces, { headers: key() })).status).toBe(200)
  for (let i = 0; i < 3; i++) {
    const guess = `psnip_${crypto.randomUUID().replaceAll('-', '')}`
    expect((await fetch(workspaces, { headers: { authorization: `Bearer ${guess}` } })).status).toBe(401)
  }
  await expect429(await fetch(workspaces, { headers: { authorization: `Bearer psnip_${'g'.repeat(32)}` } }))
  expect((await fetch(workspaces, { headers: key() })).status).toBe(200)
})

test('GitHub sign-in callbacks from one address: refused as guesses, then 429', async () => {
  const callback = `${stack.publicUrl}/api/auth/github/callback?code=guess&state=guess`
  for (let i = 0; i < 3; i++) expect((await fetch(callback, { redirect: 'manual' })).status).toBe(302)
  await expect429(await fetch(callback, { redirect: 'manual' }))
})

test('dispatches per member: past the limit 429, another caller unaffected', async () => {
  const dispatch = (auth: string) =>
    fetch(`${stack.publicUrl}/api/agent-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workspace: 'rl', prompt: 'Say hello.' }),
    })
  expect((await dispatch(member)).status).toBe(201)
  expect((await dispatch(member)).status).toBe(201)
  await expect429(await dispatch(member))
  expect((await dispatch(stack.bootstrapKey)).status).toBe(201)
})

/** A realtime socket of the member through the gateway: open (its snapshot arrived), or refused. */
function socket(): Promise<{ state: 'open' | 'refused'; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${stack.publicUrl.replace('http', 'ws')}/api/workspaces/rl/realtime`, {
      headers: { cookie: `${SESSION_COOKIE}=${member}`, origin: new URL(stack.publicUrl).origin },
    } as unknown as string[])
    ws.onmessage = () => resolve({ state: 'open', ws })
    ws.onerror = () => resolve({ state: 'refused', ws })
  })
}

test('realtime sockets per person: past the limit refused; closing one makes room', async () => {
  const first = await socket()
  const second = await socket()
  expect([first.state, second.state]).toEqual(['open', 'open'])
  expect((await socket()).state).toBe('refused')
  const closed = new Promise((resolve) => {
    first.ws.onclose = resolve
  })
  first.ws.close()
  await closed
  // The service hears the close a moment after the client: the next attempt is retried until it has.
  let again = await socket()
  for (let i = 0; again.state === 'refused' && i < 50; i++) again = await socket()
  expect(again.state).toBe('open')
  again.ws.close()
  second.ws.close()
})
