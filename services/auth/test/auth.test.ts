import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { githubTokenRpc } from '@bosun/contracts/auth'
import type { Envelope } from '@bosun/contracts/envelope'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { ALL_SCOPES } from '@bosun/contracts/scopes'
import { memberAdded } from '@bosun/contracts/workspace'
import { createAuthGuard, sha256Hex } from '@bosun/service-kit/auth-guard'
import { connectBus } from '@bosun/service-kit/bus'
import { openDatabase } from '@bosun/service-kit/db'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { type GitHubEmulator, startGitHubEmulator } from '@bosun/testkit/github/emulator'
import { type NatsServer, startNats } from '@bosun/testkit/nats'
import { type TempDir, tempDir, waitFor } from '@bosun/testkit/wait'
import { generateKeyPair, SignJWT } from 'jose'
import { ensureBootstrapKey, newKey, principalForKeyHash } from '../src/api-keys/service'
import { createApp } from '../src/app'
import * as schema from '../src/db/schema'
import { AuthEnv } from '../src/env'
import { startAuth } from '../src/start'
import { ensureServiceUser } from '../src/users/service'

const logger = createLogger('auth-test', 'silent')
const bootstrapKey = `psnip_${'b'.repeat(40)}`
let nats: NatsServer
let gh: GitHubEmulator
let dir: TempDir
let auth: Awaited<ReturnType<typeof startAuth>>
let app: ReturnType<typeof createApp>
let observer: Awaited<ReturnType<typeof connectBus>>

const envFor = (extra: Record<string, string> = {}) =>
  parseEnv(AuthEnv, {
    NATS_URL: nats.urlFor('auth'),
    BOSUN_DATA_DIR: dir.path,
    GITHUB_WEB_URL: gh.url,
    GITHUB_API_URL: gh.url,
    GITHUB_CLIENT_ID: 'cid',
    GITHUB_CLIENT_SECRET: 'csecret',
    BOSUN_ADMIN_LOGINS: 'Boss',
    BOSUN_BOOTSTRAP_API_KEY: bootstrapKey,
    LOG_LEVEL: 'silent',
    ...extra,
  })

beforeAll(async () => {
  nats = await startNats()
  dir = tempDir()
  gh = await startGitHubEmulator({ oauth: { clientId: 'cid', clientSecret: 'csecret' } })
  for (const login of ['boss', 'alice', 'mallory', 'carol']) gh.state.addUser(login)
  auth = await startAuth(envFor(), logger)
  app = createApp(auth.deps)
  observer = await connectBus({ url: nats.url, name: 'observer', version: '0', prefix: 'bosun', logger })
})

afterAll(async () => {
  await observer.close()
  await auth.stop()
  await gh.stop()
  await nats.stop()
  dir[Symbol.dispose]()
})

const call = (path: string, init: RequestInit = {}) =>
  app.handle(new Request(`http://localhost${path}`, init))
const setCookies = (res: Response) => res.headers.getSetCookie()
const cookieValue = (res: Response, name: string) =>
  setCookies(res)
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1)

/** The whole browser dance: our redirect, the emulator's authorize, our callback. */
async function signIn(login: string, next?: string) {
  const start = await call(`/api/auth/github${next ? `?next=${encodeURIComponent(next)}` : ''}`)
  expect(start.status).toBe(302)
  const stateCookie = cookieValue(start, 'bosun_oauth_state')!
  const authorizeUrl = new URL(start.headers.get('location')!)
  authorizeUrl.searchParams.set('login', login)
  const authorized = await fetch(authorizeUrl, { redirect: 'manual' })
  const callback = new URL(authorized.headers.get('location')!)
  return call(`${callback.pathname}${callback.search}`, {
    headers: { cookie: `bosun_oauth_state=${stateCookie}` },
  })
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const json = (body: unknown, token: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...bearer(token) },
  body: JSON.stringify(body),
})

describe('GitHub sign-in', () => {
  test('an admin login signs in and gets every scope', async () => {
    const res = await signIn('boss', '/settings')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/settings')
    const cookie = setCookies(res).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
    const session = await call('/api/auth/session', { headers: { cookie: cookie.split(';')[0]! } })
    const body = (await session.json()) as {
      user: { login: string; role: string }
      scopes: string[]
      apps: string[]
    }
    expect(body.user).toMatchObject({ login: 'boss', role: 'admin' })
    expect(body.scopes.sort()).toEqual([...ALL_SCOPES].sort())
    expect(body.apps).toEqual(['dashboard', 'aica'])
  })

  test("GitHub's error parameter is encoded into the redirect, never spliced raw", async () => {
    const start = await call('/api/auth/github')
    const stateCookie = cookieValue(start, 'bosun_oauth_state')!
    const state = stateCookie.split('.')[0]!
    const error = 'access_denied\r\nset-cookie: x=y&next=//evil.example'
    const res = await call(`/api/auth/github/callback?state=${state}&error=${encodeURIComponent(error)}`, {
      headers: { cookie: `bosun_oauth_state=${stateCookie}` },
    })
    expect(res.status).toBe(302)
    const location = new URL(res.headers.get('location')!, 'http://localhost')
    expect(location.pathname).toBe('/login')
    expect([...location.searchParams.keys()]).toEqual(['error'])
    expect(location.searchParams.get('error')).toBe(error)
  })

  test('an uninvited login is refused and no user is created', async () => {
    const res = await signIn('mallory')
    expect(res.headers.get('location')).toBe('/login?error=not_invited')
    expect(cookieValue(res, SESSION_COOKIE)).toBeUndefined()
    const users = await call('/api/auth/users', { headers: bearer(bootstrapKey) })
    const list = (await users.json()) as { results: Array<{ login: string }> }
    expect(list.results.map((u) => u.login)).not.toContain('mallory')
  })

  test('an invited login signs in with the invited role', async () => {
    const invite = await call('/api/auth/invites', json({ login: 'alice', role: 'viewer' }, bootstrapKey))
    expect(invite.status).toBe(201)
    const res = await signIn('alice')
    const token = cookieValue(res, SESSION_COOKIE)!
    const session = (await (await call('/api/auth/session', { headers: bearer(token) })).json()) as {
      user: { role: string }
      scopes: string[]
    }
    expect(session.user.role).toBe('viewer')
    expect(session.scopes).not.toContain('team_members:write')
  })

  test('a workspace member (from a workspace event) is admitted', async () => {
    const envelope: Envelope = {
      id: Bun.randomUUIDv7(),
      type: memberAdded.type,
      source: 'workspace',
      time: new Date().toISOString(),
      data: { workspaceId: 'acme', login: 'carol', by: 'boss', seq: 1 },
    }
    await observer.js.publish('bosun.evt.workspace.member.added', JSON.stringify(envelope), {
      msgID: envelope.id,
    })
    await waitFor(
      async () => (await signIn('carol')).headers.get('location') === '/',
      10_000,
      'carol admitted',
    )
  })

  test('a state mismatch and an open redirect are refused', async () => {
    const start = await call('/api/auth/github')
    const authorizeUrl = new URL(start.headers.get('location')!)
    authorizeUrl.searchParams.set('login', 'boss')
    const callback = new URL((await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location')!)
    const forged = await call(`${callback.pathname}${callback.search}`, {
      headers: { cookie: 'bosun_oauth_state=someone-elses.Lw' },
    })
    expect(forged.headers.get('location')).toBe('/login?error=state_mismatch')
    const evil = await signIn('boss', '//evil.example/x')
    expect(evil.headers.get('location')).toBe('/')
  })

  test('the GitHub token is sealed at rest and handed out only over NATS', async () => {
    const res = await signIn('boss')
    const token = cookieValue(res, SESSION_COOKIE)!
    const session = (await (await call('/api/auth/session', { headers: bearer(token) })).json()) as {
      user: { id: string }
    }
    const ghToken = [...gh.state.tokens.entries()].filter(([, l]) => l === 'boss').at(-1)![0]
    const dbBytes = readFileSync(join(dir.path, 'auth.db')).toString('latin1')
    const walBytes = readFileSync(join(dir.path, 'auth.db-wal')).toString('latin1')
    expect(dbBytes.includes(ghToken) || walBytes.includes(ghToken)).toBe(false)
    const viaNats = await observer.request(githubTokenRpc, { userId: session.user.id })
    expect(viaNats.token).toBe(ghToken)
  })
})

describe('sessions and the guard', () => {
  test('a guard elsewhere accepts the JWT and refuses forgeries', async () => {
    const guard = createAuthGuard(observer)
    const token = cookieValue(await signIn('boss'), SESSION_COOKIE)!
    const req = (t: string) => new Request('http://localhost/', { headers: bearer(t) })
    expect(guard.cachedPrincipal(req(token))).toBeUndefined()
    expect((await guard.principal(req(token))).login).toBe('boss')
    expect(guard.cachedPrincipal(req(token))?.login).toBe('boss')

    const [h, p, s] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid
    const forged = {
      tampered: `${h}.${b64({ ...claims, role: 'admin', login: 'mallory' })}.${s}`,
      expired: `${h}.${b64({ ...claims, exp: 1 })}.${s}`,
      algNone: `${b64({ alg: 'none' })}.${p}.`,
      wrongKey: await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(privateKey),
      noExp: await new SignJWT({ ...claims, exp: undefined })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .sign(privateKey),
      garbage: 'not-a-jwt',
    }
    for (const [name, bad] of Object.entries(forged)) {
      const err = await guard.principal(req(bad)).catch((e) => e)
      expect({ name, code: err?.code, cached: guard.cachedPrincipal(req(bad)) }).toEqual({
        name,
        code: 'unauthorized',
        cached: undefined,
      })
    }
  })

  test('an expired session is refused', async () => {
    const shortDir = tempDir()
    const short = await startAuth(
      envFor({
        BOSUN_DATA_DIR: shortDir.path,
        // Long enough for the first read to land before it expires on a loaded machine.
        BOSUN_SESSION_TTL_SECONDS: '3',
        BOSUN_SUBJECT_PREFIX: 'short',
        // infra/nats/auth.conf knows only the `bosun` prefix: this instance uses the all-subjects credential.
        NATS_URL: nats.url,
      }),
      logger,
    )
    const shortApp = createApp(short.deps)
    const start = await shortApp.handle(new Request('http://localhost/api/auth/github'))
    const stateCookie = cookieValue(start, 'bosun_oauth_state')!
    const url = new URL(start.headers.get('location')!)
    url.searchParams.set('login', 'boss')
    const cb = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!)
    const res = await shortApp.handle(
      new Request(`http://localhost${cb.pathname}${cb.search}`, {
        headers: { cookie: `bosun_oauth_state=${stateCookie}` },
      }),
    )
    const token = cookieValue(res, SESSION_COOKIE)!
    const session = () =>
      shortApp.handle(new Request('http://localhost/api/auth/session', { headers: bearer(token) }))
    // The token works first: a 401 below then means it expired, not that it never was a session.
    const fresh = await session()
    expect(fresh.status).toBe(200)
    expect(((await fresh.json()) as { user: { login: string } }).user.login).toBe('boss')
    await waitFor(async () => (await session()).status === 401, 10_000, 'expiry')
    await short.stop()
    shortDir[Symbol.dispose]()
  })

  test('a role that loses scopes ends the sessions that still carry them', async () => {
    gh.state.addUser('dave')
    await call('/api/auth/invites', json({ login: 'dave', role: 'member' }, bootstrapKey))
    const token = cookieValue(await signIn('dave'), SESSION_COOKIE)!
    const guard = createAuthGuard(observer)
    const asDave = () => guard.principal(new Request('http://localhost/', { headers: bearer(token) }))
    expect((await asDave()).scopes).toContain('team_members:write')
    const patch = (role: string) =>
      call('/api/auth/users/dave', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...bearer(bootstrapKey) },
        body: JSON.stringify({ role }),
      })
    expect((await patch('admin')).status).toBe(200)
    expect((await asDave()).login).toBe('dave')
    expect((await patch('viewer')).status).toBe(200)
    await waitFor(
      async () => (await asDave().catch((e) => e))?.code === 'unauthorized',
      10_000,
      'the demoted session to be refused',
    )
    const again = cookieValue(await signIn('dave'), SESSION_COOKIE)!
    const session = (await (await call('/api/auth/session', { headers: bearer(again) })).json()) as {
      scopes: string[]
    }
    expect(session.scopes).not.toContain('team_members:write')
  })

  test('logout clears the cookie and every guard refuses the session', async () => {
    const guard = createAuthGuard(observer)
    const token = cookieValue(await signIn('boss'), SESSION_COOKIE)!
    expect((await guard.principal(new Request('http://localhost/', { headers: bearer(token) }))).login).toBe(
      'boss',
    )
    const out = await call('/api/auth/logout', {
      method: 'POST',
      headers: { cookie: `${SESSION_COOKIE}=${token}` },
    })
    expect(out.status).toBe(204)
    expect(cookieValue(out, SESSION_COOKIE)).toBe('')
    await waitFor(
      async () => {
        const err = await guard
          .principal(new Request('http://localhost/', { headers: bearer(token) }))
          .catch((e) => e)
        return err?.code === 'unauthorized'
      },
      10_000,
      'revocation to reach the guard',
    )
    expect(
      guard.cachedPrincipal(new Request('http://localhost/', { headers: bearer(token) })),
    ).toBeUndefined()
    // A guard created after the logout never heard the event; it loads revocations with the keys.
    const late = await createAuthGuard(observer)
      .principal(new Request('http://localhost/', { headers: bearer(token) }))
      .catch((e) => e)
    expect(late?.code).toBe('unauthorized')
  })

  test('malformed cookies and API keys are 401 without a lookup', async () => {
    const guard = createAuthGuard(observer)
    const cookie = await guard
      .principal(new Request('http://localhost/', { headers: { cookie: `${SESSION_COOKIE}=%E0%A4%A` } }))
      .catch((e) => e)
    expect(cookie?.code).toBe('unauthorized')
    const junk = await guard
      .principal(new Request('http://localhost/', { headers: bearer(`psnip_${'x'.repeat(5000)}`) }))
      .catch((e) => e)
    expect(junk?.code).toBe('unauthorized')
  })
})

describe('API keys', () => {
  test('created once, listed by prefix, bounded by the creator, revocable', async () => {
    const aliceToken = cookieValue(await signIn('alice'), SESSION_COOKIE)!
    const tooMuch = await call(
      '/api/auth/api-keys',
      json({ name: 'x', scopes: ['team_members:write'] }, aliceToken),
    )
    expect(tooMuch.status).toBe(403)
    const created = await call(
      '/api/auth/api-keys',
      json({ name: 'ci', scopes: ['team_members:read'] }, aliceToken),
    )
    expect(created.status).toBe(201)
    const key = (await created.json()) as { id: string; key: string; prefix: string }
    expect(key.key.startsWith('psnip_')).toBe(true)
    const list = (await (await call('/api/auth/api-keys', { headers: bearer(aliceToken) })).json()) as {
      results: Array<Record<string, unknown>>
      pagination: { totalCount: number }
    }
    const listed = list.results.find((k) => k.id === key.id)!
    expect(listed.prefix).toBe(key.key.slice(0, 12))
    expect(JSON.stringify(list)).not.toContain(key.key)

    const guard = createAuthGuard(observer)
    const withKey = () => new Request('http://localhost/', { headers: bearer(key.key) })
    expect(guard.cachedPrincipal(withKey())).toBeUndefined()
    const viaKey = await guard.principal(withKey())
    expect(viaKey).toMatchObject({ kind: 'api_key', login: 'alice', scopes: ['team_members:read'] })
    expect(guard.cachedPrincipal(withKey())).toEqual(viaKey)

    const bossToken = cookieValue(await signIn('boss'), SESSION_COOKIE)!
    const foreign = await call(`/api/auth/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: bearer(aliceToken + 'x'),
    })
    expect(foreign.status).toBe(401)
    const revoke = await call(`/api/auth/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: bearer(aliceToken),
    })
    expect(revoke.status).toBe(204)
    // The revocation event empties the guard's cache; the next lookup asks auth, which refuses.
    await waitFor(
      () => guard.cachedPrincipal(withKey()) === undefined,
      10_000,
      'key revocation to reach the guard',
    )
    expect((await guard.principal(withKey()).catch((e) => e))?.code).toBe('unauthorized')
    const again = await call(`/api/auth/api-keys/${key.id}`, { method: 'DELETE', headers: bearer(bossToken) })
    expect(again.status).toBe(404)
  })

  test("someone else's key is 404 to a non-admin", async () => {
    const bossToken = cookieValue(await signIn('boss'), SESSION_COOKIE)!
    const created = (await (
      await call('/api/auth/api-keys', json({ name: 'boss-key', scopes: ['team_members:read'] }, bossToken))
    ).json()) as { id: string }
    const aliceToken = cookieValue(await signIn('alice'), SESSION_COOKIE)!
    const res = await call(`/api/auth/api-keys/${created.id}`, {
      method: 'DELETE',
      headers: bearer(aliceToken),
    })
    expect(res.status).toBe(404)
  })

  test('the bootstrap key holds every scope and survives a restart without duplicating', async () => {
    const session = (await (await call('/api/auth/session', { headers: bearer(bootstrapKey) })).json()) as {
      scopes: string[]
      kind: string
    }
    expect(session.kind).toBe('api_key')
    expect(session.scopes.sort()).toEqual([...ALL_SCOPES].sort())
    const again = await startAuth(envFor(), logger)
    const rows = await again.deps.database.client.execute(
      "select count(*) from api_keys where id = 'bootstrap'",
    )
    expect(Number(rows.rows[0]?.[0])).toBe(1)
    await again.stop()
  })

  test('a key made with an expiring key cannot outlive it', async () => {
    const parent = (await (
      await call(
        '/api/auth/api-keys',
        json({ name: 'short', scopes: ['team_members:read'], expiresInDays: 1 }, bootstrapKey),
      )
    ).json()) as { key: string; expiresAt: string }
    for (const extra of [{}, { expiresInDays: 30 }]) {
      const child = await call(
        '/api/auth/api-keys',
        json({ name: 'child', scopes: ['team_members:read'], ...extra }, parent.key),
      )
      expect(child.status).toBe(201)
      expect(((await child.json()) as { expiresAt: string | null }).expiresAt).toBe(parent.expiresAt)
    }
  })

  test('a lastUsedAt write that fails does not take the process down', async () => {
    using own = tempDir()
    const database = await openDatabase({
      url: `file:${join(own.path, 'auth.db')}`,
      schema,
      migrationsFolder: join(import.meta.dir, '../drizzle'),
    })
    const user = await ensureServiceUser(database, 'lonely', 'member')
    const key = newKey()
    await ensureBootstrapKey(database, user.id, key)
    expect((await principalForKeyHash(database, sha256Hex(key))).login).toBe('lonely')
    // The best-effort write is queued for the next turn; closing now makes it fail, unhandled unless caught.
    database.close()
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve))
  })

  test('user and invitation administration needs users:admin (403 without it)', async () => {
    const key = (await (
      await call(
        '/api/auth/api-keys',
        json({ name: 'no-admin', scopes: ALL_SCOPES.filter((s) => s !== 'users:admin') }, bootstrapKey),
      )
    ).json()) as { key: string }
    const asKey = (path: string, init: RequestInit = {}) =>
      call(path, { ...init, headers: { 'content-type': 'application/json', ...bearer(key.key) } })
    const refused = [
      await asKey('/api/auth/users'),
      await asKey('/api/auth/invites'),
      await asKey('/api/auth/invites', { method: 'POST', body: JSON.stringify({ login: 'mallory' }) }),
      await asKey('/api/auth/invites/alice', { method: 'DELETE' }),
      await asKey('/api/auth/users/alice', { method: 'PATCH', body: JSON.stringify({ role: 'admin' }) }),
      await asKey('/api/auth/diagnostics'),
    ]
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403])
    expect(await refused[4]!.json()).toMatchObject({ error: 'forbidden' })
  })

  test('bad input gets our error shape', async () => {
    const res = await call('/api/auth/api-keys', json({ name: '', scopes: ['nope'] }, bootstrapKey))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    const anon = await call('/api/auth/session')
    expect(anon.status).toBe(401)
    expect(await anon.json()).toMatchObject({ error: 'unauthorized' })
  })
})
