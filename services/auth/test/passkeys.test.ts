import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type {
  Passkey,
  PasskeyAuthenticationOptions,
  PasskeyPage,
  PasskeyRegistrationOptions,
  PasskeySignedIn,
} from '@bosun/contracts/passkeys'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { type GitHubEmulator, startGitHubEmulator } from '@bosun/testkit/github/emulator'
import { type NatsServer, startNats } from '@bosun/testkit/nats'
import { type TempDir, tempDir, waitFor } from '@bosun/testkit/wait'
import { eq } from 'drizzle-orm'
import { createApp } from '../src/app'
import { passkeyChallenges } from '../src/db/schema'
import { AuthEnv } from '../src/env'
import { startAuth } from '../src/start'
import { type Authenticator, startWebAuthnBrowser, type WebAuthnBrowser } from './webauthn-browser'

// A real browser on a machine shared with other test runs: seconds, not milliseconds, per ceremony.
setDefaultTimeout(30_000)
const logger = createLogger('auth-passkeys-test', 'silent')
const bootstrapKey = `psnip_${'p'.repeat(40)}`
let nats: NatsServer
let gh: GitHubEmulator
let dir: TempDir
let auth: Awaited<ReturnType<typeof startAuth>>
let app: ReturnType<typeof createApp>
let browser: WebAuthnBrowser
/** Bosun's origin (BOSUN_PUBLIC_URL) and another site on the same host name, for the wrong-origin refusal. */
let bosunUrl: string
let elsewhereUrl: string

beforeAll(async () => {
  nats = await startNats()
  dir = tempDir()
  gh = await startGitHubEmulator({ oauth: { clientId: 'cid', clientSecret: 'csecret' } })
  for (const login of ['alice', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan'])
    gh.state.addUser(login)
  browser = await startWebAuthnBrowser()
  bosunUrl = browser.origin((req) => app.handle(req))
  elsewhereUrl = browser.origin()
  const env = parseEnv(AuthEnv, {
    NATS_URL: nats.url,
    BOSUN_DATA_DIR: dir.path,
    BOSUN_PUBLIC_URL: bosunUrl,
    GITHUB_WEB_URL: gh.url,
    GITHUB_API_URL: gh.url,
    GITHUB_CLIENT_ID: 'cid',
    GITHUB_CLIENT_SECRET: 'csecret',
    BOSUN_BOOTSTRAP_API_KEY: bootstrapKey,
    LOG_LEVEL: 'silent',
  })
  auth = await startAuth(env, logger)
  app = createApp(auth.deps)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await auth?.stop()
  await gh?.stop()
  await nats?.stop()
  dir?.[Symbol.dispose]()
})

const call = (path: string, init: RequestInit = {}) => app.handle(new Request(`${bosunUrl}${path}`, init))
const sessionCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    ?.split(';')[0]
const post = (path: string, body: unknown, cookie?: string) =>
  call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  })
const asAdmin = { authorization: `Bearer ${bootstrapKey}` }
const read = <T>(res: Response) => res.json() as Promise<T>
const registrationOptions = async (cookie: string) =>
  read<PasskeyRegistrationOptions>(await post('/api/auth/passkeys/registration-options', {}, cookie))
const signInOptions = async () =>
  read<PasskeyAuthenticationOptions>(await post('/api/auth/passkeys/sign-in-options', {}))
const passkeysOf = async (cookie: string) =>
  (await read<PasskeyPage>(await call('/api/auth/passkeys', { headers: { cookie } }))).results

/** An invited login through the emulator's OAuth page; returns the session cookie (`name=value`). */
async function signInWithGitHub(login: string): Promise<string> {
  const invite = await call('/api/auth/invites', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...asAdmin },
    body: JSON.stringify({ login }),
  })
  expect(invite.status).toBe(201)
  const start = await call('/api/auth/github')
  const state = start.headers
    .getSetCookie()
    .find((c) => c.startsWith('bosun_oauth_state='))!
    .split(';')[0]!
  const authorize = new URL(start.headers.get('location')!)
  authorize.searchParams.set('login', login)
  const authorized = await fetch(authorize, { redirect: 'manual' })
  const callback = new URL(authorized.headers.get('location')!)
  const res = await call(`${callback.pathname}${callback.search}`, { headers: { cookie: state } })
  return sessionCookie(res)!
}

async function registerPasskey(authn: Authenticator, cookie: string, name: string) {
  const response = await authn.register(await registrationOptions(cookie))
  const res = await post('/api/auth/passkeys', { name, response }, cookie)
  expect(res.status).toBe(201)
  return (await res.json()) as Passkey
}

/** The browser half of a sign-in: options from Bosun, the authenticator's answer. */
async function answerSignIn(authn: Authenticator) {
  return authn.authenticate(await signInOptions())
}

/** A refused sign-in: 401, no cookie, and why (`details.reason`) with the words the login page shows. */
async function refusal(res: Response) {
  expect(res.status).toBe(401)
  expect(sessionCookie(res)).toBeUndefined()
  const body = await read<{ error: string; message: string; details: { reason: string } }>(res)
  expect(body.error).toBe('unauthorized')
  return { reason: body.details.reason, message: body.message }
}

describe('passkeys', () => {
  test('register while signed in, sign out, sign in with the passkey: the same person, the same session', async () => {
    const authn = await browser.authenticator(bosunUrl)
    const githubCookie = await signInWithGitHub('alice')
    const options = await registrationOptions(githubCookie)
    expect(options.rp.id).toBe('localhost')
    expect(options.authenticatorSelection?.userVerification).toBe('required')
    const registered = await authn.register(options)
    const created = await post('/api/auth/passkeys', { name: 'Laptop', response: registered }, githubCookie)
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ name: 'Laptop', lastUsedAt: null, transports: ['internal'] })

    const githubSession = await (
      await call('/api/auth/session', { headers: { cookie: githubCookie } })
    ).json()
    expect((await post('/api/auth/logout', {}, githubCookie)).status).toBe(204)
    await waitFor(
      async () => (await call('/api/auth/session', { headers: { cookie: githubCookie } })).status === 401,
      10_000,
      'the signed-out session to be refused',
    )

    const response = await answerSignIn(authn)
    const res = await post('/api/auth/passkeys/sign-in', { response, next: '/settings' })
    expect(res.status).toBe(200)
    const signedIn = (await res.json()) as PasskeySignedIn
    expect(signedIn).toMatchObject({ user: { login: 'alice' }, next: '/settings' })
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Lax')
    const passkeySession = await (
      await call('/api/auth/session', { headers: { cookie: sessionCookie(res)! } })
    ).json()
    expect(passkeySession).toEqual(githubSession)

    const list = await passkeysOf(sessionCookie(res)!)
    expect(list).toHaveLength(1)
    expect(list[0]?.lastUsedAt).not.toBeNull()

    // The same answer again: its challenge was used up by the first sign-in.
    expect((await refusal(await post('/api/auth/passkeys/sign-in', { response }))).reason).toBe(
      'challenge_invalid',
    )
    await authn.remove()
  })

  test('an unsafe next is replaced by /', async () => {
    const authn = await browser.authenticator(bosunUrl)
    await registerPasskey(authn, await signInWithGitHub('heidi'), 'Key')
    const res = await post('/api/auth/passkeys/sign-in', {
      response: await answerSignIn(authn),
      next: '//evil.example/',
    })
    expect(((await res.json()) as PasskeySignedIn).next).toBe('/')
    await authn.remove()
  })

  test('registration needs a signed-in browser session, and its answer is good once', async () => {
    expect((await post('/api/auth/passkeys/registration-options', {})).status).toBe(401)
    const withKey = await call('/api/auth/passkeys/registration-options', {
      method: 'POST',
      headers: asAdmin,
    })
    expect(withKey.status).toBe(403)

    const authn = await browser.authenticator(bosunUrl)
    const cookie = await signInWithGitHub('carol')
    const response = await authn.register(await registrationOptions(cookie))
    // Another person cannot finish carol's registration.
    const other = await signInWithGitHub('dave')
    expect((await post('/api/auth/passkeys', { name: 'x', response }, other)).status).toBe(400)
    // That attempt did not use carol's challenge up: it was never dave's to use.
    expect((await post('/api/auth/passkeys', { name: 'x', response }, cookie)).status).toBe(201)
    expect((await post('/api/auth/passkeys', { name: 'x', response }, cookie)).status).toBe(400)
    await authn.remove()
  })

  test('rename and delete only your own passkeys; a deleted passkey is an unknown credential', async () => {
    const authn = await browser.authenticator(bosunUrl)
    const cookie = await signInWithGitHub('dave')
    const key = await registerPasskey(authn, cookie, 'Phone')
    const patch = (id: string, who: string) =>
      call(`/api/auth/passkeys/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: who },
        body: JSON.stringify({ name: 'Work phone' }),
      })
    const stranger = await signInWithGitHub('erin')
    expect((await patch(key.id, stranger)).status).toBe(404)
    expect(
      (await call(`/api/auth/passkeys/${key.id}`, { method: 'DELETE', headers: { cookie: stranger } }))
        .status,
    ).toBe(404)
    const renamed = await patch(key.id, cookie)
    expect(await renamed.json()).toMatchObject({ id: key.id, name: 'Work phone' })
    expect(
      (await call(`/api/auth/passkeys/${key.id}`, { method: 'DELETE', headers: { cookie } })).status,
    ).toBe(204)
    expect(await passkeysOf(cookie)).toEqual([])

    const res = await post('/api/auth/passkeys/sign-in', { response: await answerSignIn(authn) })
    expect((await refusal(res)).reason).toBe('unknown_credential')
    await authn.remove()
  })

  test('an answer made on another site is refused', async () => {
    const home = await browser.authenticator(bosunUrl)
    await registerPasskey(home, await signInWithGitHub('erin'), 'Laptop')
    const credentials = await home.cdp.send('WebAuthn.getCredentials', { authenticatorId: home.id })
    // The same passkey on a page of another origin (same host name, so the browser lets the site use it).
    const away = await browser.authenticator(elsewhereUrl)
    for (const credential of credentials.credentials)
      await away.cdp.send('WebAuthn.addCredential', { authenticatorId: away.id, credential })
    const res = await post('/api/auth/passkeys/sign-in', { response: await answerSignIn(away) })
    const refused = await refusal(res)
    expect(refused.reason).toBe('verification_failed')
    expect(refused.message).toContain('origin')
    await home.remove()
    await away.remove()
  })

  test('a credential of a person whose access was withdrawn cannot sign in', async () => {
    const authn = await browser.authenticator(bosunUrl)
    await registerPasskey(authn, await signInWithGitHub('frank'), 'Laptop')
    expect((await call('/api/auth/invites/frank', { method: 'DELETE', headers: asAdmin })).status).toBe(204)
    const res = await post('/api/auth/passkeys/sign-in', { response: await answerSignIn(authn) })
    expect((await refusal(res)).reason).toBe('not_invited')
    await authn.remove()
  })

  test('a tampered signature, a skipped user verification and a counter that went back are refused', async () => {
    const authn = await browser.authenticator(bosunUrl)
    await registerPasskey(authn, await signInWithGitHub('grace'), 'Key two')

    const answer = await answerSignIn(authn)
    const signature = Buffer.from(answer.response.signature, 'base64url')
    signature[signature.length - 1]! ^= 0x01
    const tampered = {
      ...answer,
      response: { ...answer.response, signature: signature.toString('base64url') },
    }
    expect((await refusal(await post('/api/auth/passkeys/sign-in', { response: tampered }))).reason).toBe(
      'verification_failed',
    )

    // A client that asks the authenticator not to verify the person gets an answer without the UV flag.
    await authn.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authn.id, isUserVerified: false })
    const unverified = await authn.authenticate({
      ...(await signInOptions()),
      userVerification: 'discouraged',
    })
    const res = await post('/api/auth/passkeys/sign-in', { response: unverified })
    const refused = await refusal(res)
    expect(refused.reason).toBe('verification_failed')
    expect(refused.message).toContain('User verification required')
    await authn.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authn.id, isUserVerified: true })

    // A good sign-in moves the stored counter on; a clone of the key that restarts its count is refused.
    expect((await post('/api/auth/passkeys/sign-in', { response: await answerSignIn(authn) })).status).toBe(
      200,
    )
    const { credentials } = await authn.cdp.send('WebAuthn.getCredentials', { authenticatorId: authn.id })
    const credential = credentials.find((c) => c.userName === 'grace')!
    await authn.cdp.send('WebAuthn.removeCredential', {
      authenticatorId: authn.id,
      credentialId: credential.credentialId,
    })
    await authn.cdp.send('WebAuthn.addCredential', {
      authenticatorId: authn.id,
      credential: { ...credential, signCount: 0 },
    })
    const cloned = await post('/api/auth/passkeys/sign-in', { response: await answerSignIn(authn) })
    const clonedRefusal = await refusal(cloned)
    expect(clonedRefusal.reason).toBe('verification_failed')
    expect(clonedRefusal.message).toContain('counter')

    await authn.remove()
  })

  test('an answer to a challenge past its expiry is refused', async () => {
    const authn = await browser.authenticator(bosunUrl)
    await registerPasskey(authn, await signInWithGitHub('ivan'), 'Laptop')
    const options = await signInOptions()
    const response = await authn.authenticate(options)
    // Five minutes pass for this challenge only: its expiry is moved, nothing else.
    await auth.deps.database.write((tx) =>
      tx
        .update(passkeyChallenges)
        .set({ expiresAt: Date.now() - 1 })
        .where(eq(passkeyChallenges.challenge, options.challenge)),
    )
    const res = await post('/api/auth/passkeys/sign-in', { response })
    expect((await refusal(res)).reason).toBe('challenge_invalid')
    await authn.remove()
  })

  test('one address starts only so many passkey sign-ins a minute', async () => {
    const limited = createApp({
      ...auth.deps,
      env: { ...auth.deps.env, BOSUN_RATE_PASSKEY_SIGN_INS_PER_MINUTE: 2 },
    })
    const start = (address: string) =>
      limited.handle(
        new Request(`${bosunUrl}/api/auth/passkeys/sign-in-options`, {
          method: 'POST',
          headers: { 'x-forwarded-for': address },
        }),
      )
    expect((await start('192.0.2.1')).status).toBe(200)
    expect((await start('192.0.2.1')).status).toBe(200)
    const refused = await start('192.0.2.1')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBeTruthy()
    expect((await start('192.0.2.2')).status).toBe(200)
  })

  test('with BOSUN_PUBLIC_URL on an IP address, passkeys say why they cannot work', async () => {
    const onIp = createApp({
      ...auth.deps,
      env: { ...auth.deps.env, BOSUN_PUBLIC_URL: 'http://127.0.0.1:3000' },
    })
    const res = await onIp.handle(
      new Request('http://127.0.0.1:3000/api/auth/passkeys/sign-in-options', { method: 'POST' }),
    )
    expect(res.status).toBe(503)
    expect((await read<{ message: string }>(res)).message).toContain('BOSUN_PUBLIC_URL')
  })
})
