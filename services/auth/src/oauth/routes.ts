import { OAuthCallbackQuery, OAuthStartQuery } from '@bosun/contracts/auth'
import { errors } from '@bosun/contracts/errors'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { readCookie } from '@bosun/service-kit/auth-guard'
import { AppError } from '@bosun/service-kit/errors'
import { errorFields } from '@bosun/service-kit/log'
import { clientAddress, createRateLimit } from '@bosun/service-kit/rate-limit'
import { Elysia, t } from 'elysia'
import type { AuthDeps } from '../deps'
import { issueSession } from '../session/service'
import { admission, upsertSignedInUser } from '../users/service'
import { exchangeCode, safeNext } from './service'

const STATE_COOKIE = 'bosun_oauth_state'

export function cookie(
  name: string,
  value: string,
  opts: { maxAge: number; secure: boolean; path?: string },
) {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${opts.path ?? '/'}`,
    'HttpOnly',
    'SameSite=Lax',
  ]
  parts.push(`Max-Age=${opts.maxAge}`)
  if (opts.secure) parts.push('Secure')
  return parts.join('; ')
}

const redirect = (location: string, cookies: string[]) => {
  const headers = new Headers({ location })
  for (const c of cookies) headers.append('set-cookie', c)
  return new Response(null, { status: 302, headers })
}

export function oauthRoutes(deps: AuthDeps) {
  const { env } = deps
  const secure = env.BOSUN_PUBLIC_URL.startsWith('https://')
  const redirectUri = `${env.BOSUN_PUBLIC_URL}/api/auth/github/callback`
  const callbacks = createRateLimit({
    limit: env.BOSUN_RATE_OAUTH_CALLBACKS_PER_MINUTE,
    windowMs: 60_000,
    what: 'sign-in attempts',
  })
  const loginError = (code: string) =>
    redirect(`/login?error=${encodeURIComponent(code)}`, [
      cookie(STATE_COOKIE, '', { maxAge: 0, secure, path: '/api/auth/github' }),
    ])

  return new Elysia({ prefix: '/api/auth/github' })
    .get(
      '',
      ({ query }) => {
        if (!env.GITHUB_CLIENT_ID) throw new AppError('unavailable', 'GitHub sign-in is not configured')
        const state = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')
        const to = new URL(`${env.GITHUB_WEB_URL}/login/oauth/authorize`)
        to.searchParams.set('client_id', env.GITHUB_CLIENT_ID)
        to.searchParams.set('redirect_uri', redirectUri)
        to.searchParams.set('state', state)
        to.searchParams.set('scope', 'read:user repo')
        const value = `${state}.${Buffer.from(safeNext(query.next)).toString('base64url')}`
        return redirect(to.toString(), [
          cookie(STATE_COOKIE, value, { maxAge: 600, secure, path: '/api/auth/github' }),
        ])
      },
      {
        query: OAuthStartQuery,
        detail: {
          operationId: 'authGithubStart',
          tags: ['auth'],
          summary: 'Start GitHub sign-in',
          security: [],
        },
        response: { 302: t.Void({ description: 'Redirect to GitHub' }) },
      },
    )
    .get(
      '/callback',
      async ({ query, request, server }) => {
        callbacks.take(clientAddress(request, server?.requestIP(request)?.address))
        const [expected, nextB64] = (readCookie(request.headers.get('cookie'), STATE_COOKIE) ?? '').split('.')
        if (!query.state || !expected || query.state !== expected) return loginError('state_mismatch')
        if (!query.code) return loginError(query.error ?? 'no_code')
        let identity: Awaited<ReturnType<typeof exchangeCode>>
        try {
          identity = await exchangeCode(
            {
              webUrl: env.GITHUB_WEB_URL,
              apiUrl: env.GITHUB_API_URL,
              clientId: env.GITHUB_CLIENT_ID,
              clientSecret: env.GITHUB_CLIENT_SECRET,
              redirectUri,
            },
            query.code,
          )
        } catch (err) {
          deps.logger.warn('github sign-in failed', errorFields(err))
          return loginError('github_failed')
        }
        const role = await admission(deps.database, deps.adminLogins, identity.login)
        if (!role) return loginError('not_invited')
        const user = await upsertSignedInUser(deps.database, deps.box, identity, role)
        const session = await issueSession(deps.database, deps.keys, user, env.BOSUN_SESSION_TTL_SECONDS)
        const next = safeNext(Buffer.from(nextB64 ?? '', 'base64url').toString())
        return redirect(next, [
          cookie(STATE_COOKIE, '', { maxAge: 0, secure, path: '/api/auth/github' }),
          cookie(SESSION_COOKIE, session.token, { maxAge: env.BOSUN_SESSION_TTL_SECONDS, secure }),
        ])
      },
      {
        query: OAuthCallbackQuery,
        detail: {
          operationId: 'authGithubCallback',
          tags: ['auth'],
          summary: 'GitHub sign-in callback',
          security: [],
        },
        response: {
          302: t.Void({ description: 'Signed in (or refused): redirect to the app or /login?error=' }),
          ...errors(429),
        },
      },
    )
}
