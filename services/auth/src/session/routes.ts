import { Diagnostics, Jwks, SessionInfo } from '@bosun/contracts/auth'
import { errors } from '@bosun/contracts/errors'
import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { found } from '@bosun/service-kit/errors'
import { Elysia, t } from 'elysia'
import type { AuthDeps } from '../deps'
import { cookie } from '../oauth/routes'
import { countUsers, toUser, userById } from '../users/service'
import { appsFor, revokeSession } from './service'

export function sessionRoutes(deps: AuthDeps) {
  const secure = deps.env.BOSUN_PUBLIC_URL.startsWith('https://')
  return new Elysia({ prefix: '/api/auth' })
    .use(authPlugin(deps.guard))
    .get(
      '/session',
      async ({ principal }) => {
        const user = found(await userById(deps.database, principal.userId), 'User')
        return {
          user: toUser(user),
          apps: appsFor(principal.scopes),
          scopes: principal.scopes,
          kind: principal.kind,
        }
      },
      {
        auth: [],
        detail: { operationId: 'authSession', tags: ['auth'], summary: 'The caller, their apps and scopes' },
        response: { 200: SessionInfo, ...errors(401) },
      },
    )
    .post(
      '/logout',
      async ({ request }) => {
        const principal = await deps.guard.principal(request).catch(() => null)
        if (principal) await revokeSession(deps.database, deps.bus, principal)
        return new Response(null, {
          status: 204,
          headers: { 'set-cookie': cookie(SESSION_COOKIE, '', { maxAge: 0, secure }) },
        })
      },
      {
        detail: {
          operationId: 'authLogout',
          tags: ['auth'],
          summary: 'End the session and clear its cookie',
        },
        response: { 204: t.Void({ description: 'Signed out' }) },
      },
    )
    .get('/jwks', () => deps.keys.jwks, {
      detail: {
        operationId: 'authJwks',
        tags: ['auth'],
        summary: 'Public keys that sign sessions',
        security: [],
      },
      response: { 200: Jwks },
    })
    .get(
      '/diagnostics',
      async () => ({
        githubWebUrl: deps.env.GITHUB_WEB_URL,
        githubApiUrl: deps.env.GITHUB_API_URL,
        oauthConfigured: Boolean(deps.env.GITHUB_CLIENT_ID && deps.env.GITHUB_CLIENT_SECRET),
        publicUrl: deps.env.BOSUN_PUBLIC_URL,
        signingKeys: deps.keys.jwks.keys.length,
        users: await countUsers(deps.database),
        admins: deps.adminLogins,
      }),
      {
        auth: ['users:admin'],
        detail: {
          operationId: 'authDiagnostics',
          tags: ['auth'],
          summary: 'Sign-in configuration, without secrets',
        },
        response: { 200: Diagnostics, ...errors(401, 403) },
      },
    )
}
