import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createAuthClient } from '@bosun/clients/auth'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import { ALL_SCOPES, type Scope } from '@bosun/contracts/scopes'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { generateKeyPair, SignJWT } from 'jose'

/** Auth, workspace and the gateway as real processes; every call goes through the gateway. */
let stack: Stack
const tokens: Record<string, string> = {}
const OURS = 'e2e-ours'
const THEIRS = 'e2e-theirs'

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'boss' },
  })
  for (const login of ['boss', 'alice']) stack.github!.state.addUser(login)
  await invite(stack.publicUrl, stack.bootstrapKey, 'alice')
  tokens.boss = await signIn(stack.publicUrl, 'boss')
  tokens.alice = await signIn(stack.publicUrl, 'alice')
  const admin = createWorkspaceClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.boss}` },
  })
  for (const id of [OURS, THEIRS]) {
    const { response } = await admin.POST('/api/workspaces', { body: { id, name: id } })
    expect(response.status).toBe(201)
  }
  const { response } = await admin.POST('/api/workspaces/{id}/team-members', {
    params: { path: { id: OURS } },
    body: { login: 'alice' },
  })
  expect(response.status).toBe(201)
}, 60_000)

afterAll(() => stack.stop())

type Route = { method: string; path: (ws: string) => string; scope: Scope; body?: unknown }
const ROUTES: Route[] = [
  { method: 'GET', path: (w) => `/api/workspaces/${w}/snapshot`, scope: 'team_members:read' },
  {
    method: 'POST',
    path: (w) => `/api/workspaces/${w}/team-members`,
    scope: 'team_members:write',
    body: { login: 'zed' },
  },
  { method: 'DELETE', path: (w) => `/api/workspaces/${w}/team-members/zed`, scope: 'team_members:write' },
  {
    method: 'POST',
    path: (w) => `/api/workspaces/${w}/author-records`,
    scope: 'team_authors:write',
    body: { login: 'zed', status: 'trusted' },
  },
  { method: 'DELETE', path: (w) => `/api/workspaces/${w}/author-records/zed`, scope: 'team_authors:write' },
  {
    method: 'POST',
    path: (w) => `/api/workspaces/${w}/check-policies`,
    scope: 'team_policies:write',
    body: { name: 'ci', requiredChecks: ['test'] },
  },
  { method: 'DELETE', path: (w) => `/api/workspaces/${w}/check-policies/ci`, scope: 'team_policies:write' },
  {
    method: 'POST',
    path: (w) => `/api/workspaces/${w}/starred-comments`,
    scope: 'team_members:write',
    body: { commentId: 'c1', url: 'https://github.com/o/r/pull/1#r1' },
  },
  { method: 'DELETE', path: (w) => `/api/workspaces/${w}/starred-comments/c1`, scope: 'team_members:write' },
  {
    method: 'POST',
    path: (w) => `/api/workspaces/${w}/starred-folders`,
    scope: 'team_members:write',
    body: { name: 'f' },
  },
  {
    method: 'PATCH',
    path: (w) => `/api/workspaces/${w}/starred-folders/f`,
    scope: 'team_members:write',
    body: { name: 'g' },
  },
  { method: 'DELETE', path: (w) => `/api/workspaces/${w}/starred-folders/g`, scope: 'team_members:write' },
  { method: 'GET', path: (w) => `/api/workspaces/${w}/repositories`, scope: 'team_members:read' },
  {
    method: 'POST',
    path: (w) => `/api/workspaces/${w}/repositories`,
    scope: 'team_policies:write',
    body: { fullName: 'o/r' },
  },
  {
    method: 'POST',
    path: () => '/api/workspaces',
    scope: 'workspaces:admin',
    body: { id: 'e2e-new', name: 'n' },
  },
]

const call = (route: Route, ws: string, credential?: string) =>
  fetch(`${stack.publicUrl}${route.path(ws)}`, {
    method: route.method,
    headers: {
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(route.body ? { 'content-type': 'application/json' } : {}),
    },
    body: route.body ? JSON.stringify(route.body) : undefined,
  })

describe('scope matrix through the gateway', () => {
  test('no credential: 401 on every route', async () => {
    for (const route of ROUTES) {
      const res = await call(route, OURS)
      expect({ route: route.path(OURS), method: route.method, status: res.status }).toMatchObject({
        status: 401,
      })
      expect(await res.json()).toMatchObject({ error: 'unauthorized' })
    }
  })

  test('a key holding every scope but the route’s: 403 on every route', async () => {
    for (const route of ROUTES) {
      const key = await createApiKey(
        stack.publicUrl,
        tokens.boss!,
        ALL_SCOPES.filter((s) => s !== route.scope),
      )
      const res = await call(route, OURS, key)
      expect({ route: route.path(OURS), method: route.method, status: res.status }).toMatchObject({
        status: 403,
      })
      expect(await res.json()).toMatchObject({ error: 'forbidden' })
    }
  })

  test('a member with the scope on a workspace they do not belong to: 404, never 403', async () => {
    const memberScopes = ['team_members:read', 'team_members:write', 'team_authors:write'] as const
    const key = await createApiKey(stack.publicUrl, tokens.alice!, [...memberScopes])
    for (const route of ROUTES.filter((r) => (memberScopes as readonly string[]).includes(r.scope))) {
      const theirs = await call(route, THEIRS, key)
      expect({ route: route.path(THEIRS), method: route.method, status: theirs.status }).toMatchObject({
        status: 404,
      })
      const ours = await call(route, OURS, key)
      expect({ route: route.path(OURS), method: route.method, status: ours.status }).not.toMatchObject({
        status: 404,
      })
    }
  })
})

describe('session tokens through the gateway', () => {
  test('tampered, expired, alg:none and wrong-key JWTs are 401; the real one works', async () => {
    const real = tokens.alice!
    const [h, p, s] = real.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const forged = {
      tampered: `${h}.${b64({ ...claims, role: 'admin', scopes: ALL_SCOPES })}.${s}`,
      expired: `${h}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })}.${s}`,
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, role: 'admin' })}.`,
      wrongKey: await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey),
    }
    const snapshot = ROUTES[0]!
    expect((await call(snapshot, OURS, real)).status).toBe(200)
    for (const [name, token] of Object.entries(forged)) {
      const res = await fetch(`${stack.publicUrl}${snapshot.path(OURS)}`, {
        headers: { cookie: `bosun_session=${token}` },
      })
      expect({ name, status: res.status }).toEqual({ name, status: 401 })
    }
  })

  test('the generated auth client reads the session through the gateway', async () => {
    const auth = createAuthClient({
      baseUrl: stack.publicUrl,
      headers: { authorization: `Bearer ${tokens.alice}` },
    })
    const { data, response } = await auth.GET('/api/auth/session')
    expect(response.status).toBe(200)
    expect(data?.user.login).toBe('alice')
    expect(data?.scopes).toContain('team_members:read')
  })
})
