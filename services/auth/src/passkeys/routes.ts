import { IdParam } from '@bosun/contracts/auth'
import { errors } from '@bosun/contracts/errors'
import { PageQuery } from '@bosun/contracts/pagination'
import {
  Passkey,
  PasskeyAuthenticationOptions,
  PasskeyPage,
  PasskeyPatch,
  PasskeyRegister,
  PasskeyRegistrationOptions,
  PasskeySignedIn,
  PasskeySignIn,
} from '@bosun/contracts/passkeys'
import { type Principal, SESSION_COOKIE } from '@bosun/contracts/principal'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { forbidden, found } from '@bosun/service-kit/errors'
import { paginate } from '@bosun/service-kit/paging'
import { clientAddress, createRateLimit } from '@bosun/service-kit/rate-limit'
import { Elysia, t } from 'elysia'
import type { AuthDeps } from '../deps'
import { cookie } from '../oauth/routes'
import { safeNext } from '../oauth/service'
import { issueSession } from '../session/service'
import { toUser, userById } from '../users/service'
import {
  authenticationOptions,
  deletePasskey,
  listPasskeys,
  registerPasskey,
  registrationOptions,
  relyingParty,
  renamePasskey,
  signInWithPasskey,
} from './service'

/** An API key must not mint a sign-in credential: that would turn a narrow key into a full session. */
function personOf(principal: Principal): string {
  if (principal.kind !== 'user') throw forbidden('Passkeys are managed from a signed-in browser session')
  return principal.userId
}

const tag = { tags: ['auth'] }

export function passkeyRoutes(deps: AuthDeps) {
  const { env, database } = deps
  const rp = relyingParty(env.BOSUN_PUBLIC_URL)
  const secure = env.BOSUN_PUBLIC_URL.startsWith('https://')
  const signIns = createRateLimit({
    limit: env.BOSUN_RATE_PASSKEY_SIGN_INS_PER_MINUTE,
    windowMs: 60_000,
    what: 'passkey sign-ins',
  })

  return new Elysia({ prefix: '/api/auth/passkeys' })
    .use(authPlugin(deps.guard))
    .post(
      '/registration-options',
      async ({ principal }) => {
        const user = found(await userById(database, personOf(principal)), 'User')
        return registrationOptions(database, rp, user)
      },
      {
        auth: [],
        detail: {
          ...tag,
          operationId: 'authPasskeyRegistrationOptions',
          summary: 'Start registering a passkey for the signed-in person',
        },
        response: { 200: PasskeyRegistrationOptions, ...errors(401, 403, 503) },
      },
    )
    .post(
      '',
      async ({ principal, body, set }) => {
        set.status = 201
        return registerPasskey(database, rp, personOf(principal), body)
      },
      {
        auth: [],
        body: PasskeyRegister,
        detail: {
          ...tag,
          operationId: 'authPasskeyRegister',
          summary: "Finish registering: verify the authenticator's answer and keep the passkey",
        },
        response: { 201: Passkey, ...errors(400, 401, 403, 409, 503) },
      },
    )
    .get(
      '',
      async ({ principal, query }) => paginate(await listPasskeys(database, personOf(principal)), query),
      {
        auth: [],
        query: t.Object(PageQuery),
        detail: { ...tag, operationId: 'authListPasskeys', summary: "The signed-in person's passkeys" },
        response: { 200: PasskeyPage, ...errors(400, 401, 403) },
      },
    )
    .patch(
      '/:id',
      ({ principal, params, body }) => renamePasskey(database, personOf(principal), params.id, body.name),
      {
        auth: [],
        params: IdParam,
        body: PasskeyPatch,
        detail: { ...tag, operationId: 'authRenamePasskey', summary: 'Rename one of your passkeys' },
        response: { 200: Passkey, ...errors(400, 401, 403, 404) },
      },
    )
    .delete(
      '/:id',
      async ({ principal, params, set }) => {
        await deletePasskey(database, personOf(principal), params.id)
        set.status = 204
      },
      {
        auth: [],
        params: IdParam,
        detail: { ...tag, operationId: 'authDeletePasskey', summary: 'Remove one of your passkeys' },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(401, 403, 404) },
      },
    )
    .post(
      '/sign-in-options',
      ({ request, server }) => {
        signIns.take(clientAddress(request, server?.requestIP(request)?.address))
        return authenticationOptions(database, rp)
      },
      {
        detail: {
          ...tag,
          operationId: 'authPasskeySignInOptions',
          summary: 'Start signing in with a passkey (from /login)',
          security: [],
        },
        response: { 200: PasskeyAuthenticationOptions, ...errors(429, 503) },
      },
    )
    .post(
      '/sign-in',
      async ({ body, set }) => {
        const user = await signInWithPasskey(database, rp, deps.adminLogins, body.response)
        const session = await issueSession(database, deps.keys, user, env.BOSUN_SESSION_TTL_SECONDS)
        set.headers['set-cookie'] = cookie(SESSION_COOKIE, session.token, {
          maxAge: env.BOSUN_SESSION_TTL_SECONDS,
          secure,
        })
        return { user: toUser(user), next: safeNext(body.next) }
      },
      {
        body: PasskeySignIn,
        detail: {
          ...tag,
          operationId: 'authPasskeySignIn',
          summary:
            'Finish signing in: verify the answer and set the same session cookie as GitHub sign-in. ' +
            'A refusal is 401 with details.reason: challenge_invalid, unknown_credential, not_invited or verification_failed',
          security: [],
        },
        response: { 200: PasskeySignedIn, ...errors(400, 401, 503) },
      },
    )
}
