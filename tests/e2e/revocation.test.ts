import { afterAll, beforeAll, expect, test } from 'bun:test'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * A demotion and a removal hold within a second, through the gateway: on API keys (whose principal services
 * cache), on sessions, and on realtime sockets already open.
 */
let stack: Stack
const SECOND = 1000
const admin = () => ({ authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' })
const api = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'octo-admin' },
  })
  expect((await api('POST', '/api/workspaces', admin(), { id: 'rv', name: 'Revocation' })).status).toBe(201)
  expect(
    (await api('POST', '/api/workspaces/rv/team-members', admin(), { login: 'octo-dev' })).status,
  ).toBeLessThan(300)
  await invite(stack.publicUrl, stack.bootstrapKey, 'octo-dev', 'admin')
}, 90_000)

afterAll(async () => {
  await stack.stop()
})

/** A realtime socket on workspace rv; resolves once its snapshot arrived, and tells whether it has closed. */
function openSocket(headers: Record<string, string>) {
  return new Promise<{ isClosed: () => boolean }>((resolve, reject) => {
    const ws = new WebSocket(`${stack.publicUrl.replace('http', 'ws')}/api/workspaces/rv/realtime`, {
      headers: { origin: new URL(stack.publicUrl).origin, ...headers },
    } as unknown as string[])
    let closed = false
    ws.onclose = () => {
      closed = true
    }
    ws.onmessage = () => resolve({ isClosed: () => closed })
    ws.onerror = () => reject(new Error('the socket was refused'))
  })
}

const within = <T>(what: string, check: () => Promise<T>) => waitFor(check, SECOND, what)

test('a demoted admin: the API key loses admin rights, the session ends, open sockets close, within a second', async () => {
  const session = await signIn(stack.publicUrl, 'octo-dev')
  const cookie = { cookie: `${SESSION_COOKIE}=${session}` }
  const key = {
    authorization: `Bearer ${await createApiKey(stack.publicUrl, session, ['workspaces:admin', 'team_members:read'])}`,
  }
  // Both credentials are verified (and so cached) before the change.
  const create = () =>
    api('POST', '/api/workspaces', key, { id: `k${crypto.randomUUID().slice(0, 8)}`, name: 'k' })
  expect((await create()).status).toBe(201)
  expect((await api('GET', '/api/workspaces', cookie)).status).toBe(200)
  const byKey = await openSocket(key)
  const bySession = await openSocket(cookie)

  const demoted = await api('PATCH', '/api/auth/users/octo-dev', admin(), { role: 'member' })
  expect(demoted.status).toBe(200)
  await within('the key to lose workspaces:admin', async () => (await create()).status === 403)
  await within('the session to end', async () => (await api('GET', '/api/workspaces', cookie)).status === 401)
  await within('both sockets to close', async () => byKey.isClosed() && bySession.isClosed())
})

test('a member removed from a workspace: its sockets on it close and it is gone from reads, within a second', async () => {
  const session = await signIn(stack.publicUrl, 'octo-dev')
  const cookie = { cookie: `${SESSION_COOKIE}=${session}` }
  const key = {
    authorization: `Bearer ${await createApiKey(stack.publicUrl, session, ['team_members:read'])}`,
  }
  expect((await api('GET', '/api/workspaces/rv/snapshot', key)).status).toBe(200)
  const bySession = await openSocket(cookie)
  const byKey = await openSocket(key)

  const removed = await api('DELETE', '/api/workspaces/rv/team-members/octo-dev', admin())
  expect(removed.status).toBeLessThan(300)
  await within('both sockets to close', async () => byKey.isClosed() && bySession.isClosed())
  await within(
    'the snapshot to be gone',
    async () => (await api('GET', '/api/workspaces/rv/snapshot', key)).status === 404,
  )
  await expect(openSocket(cookie)).rejects.toThrow('refused')
})
