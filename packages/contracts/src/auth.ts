import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'
import { Page, PageQuery } from './pagination'
import { Principal } from './principal'
import { defineRpc } from './rpc'
import { Role, Scope } from './scopes'
import { GitHubLogin } from './workspace'

/** A JSON Web Key as auth publishes it (public Ed25519 keys only). */
export const Jwk = t.Object(
  {
    kty: t.String(),
    crv: t.Optional(t.String()),
    x: t.Optional(t.String()),
    kid: t.String(),
    alg: t.Optional(t.String()),
    use: t.Optional(t.String()),
  },
  { additionalProperties: true },
)
export const Jwks = t.Object({ keys: t.Array(Jwk) }, { title: 'Jwks' })
export type Jwks = Static<typeof Jwks>

export const jwksRpc = defineRpc('auth', 'jwks', t.Object({}), Jwks, 'The public keys that sign session JWTs')

/** The guard sends the SHA-256 of the key, never the key itself. */
export const verifyKeyRpc = defineRpc(
  'auth',
  'verify-key',
  t.Object({ keyHash: t.String({ pattern: '^[0-9a-f]{64}$' }) }),
  t.Object({ principal: Principal }),
  'Resolve an API key hash to its principal; not_found when unknown, revoked or expired',
)

export const apiKeyRevoked = defineEvent(
  'auth.api_key.revoked',
  t.Object({ keyId: t.String(), userId: t.String() }),
)
/**
 * A user's role changed (or the user lost access): every service drops what it cached of the user's principal
 * and closes the user's live sockets, so the change holds within a second, not when a cache expires.
 */
export const principalChanged = defineEvent(
  'auth.principal.changed',
  t.Object({ userId: t.String(), login: t.String(), role: t.String() }),
)
export const sessionRevoked = defineEvent(
  'auth.session.revoked',
  t.Object({ sessionId: t.String(), expiresAt: t.String({ format: 'date-time' }) }),
)

/**
 * Sessions revoked before they expire. A guard loads them with the signing keys, so a service that starts
 * after a logout (and so never heard its event) still refuses that session.
 */
export const revokedSessionsRpc = defineRpc(
  'auth',
  'revoked-sessions',
  t.Object({}),
  t.Object({
    sessions: t.Array(t.Object({ sessionId: t.String(), expiresAt: t.String({ format: 'date-time' }) })),
  }),
  'Revoked sessions that have not expired yet',
)

/** The user's GitHub OAuth token, for services that read GitHub as that user. NATS only, never HTTP. */
export const githubTokenRpc = defineRpc(
  'auth',
  'github-token',
  t.Object({ userId: t.String() }),
  t.Object({ token: t.String() }),
  "The signed-in user's GitHub token (not_found when none is stored)",
  { sealed: true },
)

export const User = t.Object(
  {
    id: t.String(),
    login: t.String(),
    name: t.Union([t.String(), t.Null()]),
    avatarUrl: t.Union([t.String(), t.Null()]),
    role: Role,
  },
  { title: 'User' },
)
export type User = Static<typeof User>

export const SessionInfo = t.Object(
  {
    user: User,
    apps: t.Array(t.String(), { description: 'Bosun apps this caller may open' }),
    scopes: t.Array(Scope),
    kind: t.Union([t.Literal('user'), t.Literal('api_key')]),
  },
  { title: 'SessionInfo' },
)
export type SessionInfo = Static<typeof SessionInfo>

export const ApiKeyCreate = t.Object({
  name: t.String({ minLength: 1, maxLength: 100 }),
  scopes: t.Array(Scope, { minItems: 1, maxItems: 32, uniqueItems: true }),
  expiresInDays: t.Optional(t.Integer({ minimum: 1, maximum: 3650 })),
})
export type ApiKeyCreate = Static<typeof ApiKeyCreate>

export const ApiKey = t.Object(
  {
    id: t.String(),
    name: t.String(),
    prefix: t.String({ description: 'The first characters of the key, to recognise it' }),
    scopes: t.Array(Scope),
    userId: t.String(),
    createdAt: t.String({ format: 'date-time' }),
    expiresAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
    lastUsedAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
  },
  { title: 'ApiKey' },
)
export type ApiKey = Static<typeof ApiKey>
export const ApiKeyCreated = t.Composite(
  [ApiKey, t.Object({ key: t.String({ description: 'Shown once' }) })],
  {
    title: 'ApiKeyCreated',
  },
)
export const ApiKeyPage = Page(ApiKey, 'ApiKeyPage')
export const ApiKeyListQuery = t.Object({
  ...PageQuery,
  sort: t.Optional(t.Union([t.Literal('created_at'), t.Literal('name')])),
})

export const Invite = t.Object(
  { login: GitHubLogin, role: Role, invitedBy: t.String(), createdAt: t.String({ format: 'date-time' }) },
  { title: 'Invite' },
)
export type Invite = Static<typeof Invite>
export const InviteCreate = t.Object({ login: GitHubLogin, role: t.Optional(Role) })
export const InvitePage = Page(Invite, 'InvitePage')
export const UserPage = Page(User, 'UserPage')
export const UserPatch = t.Object({ role: Role })
export const LoginParam = t.Object({ login: GitHubLogin })
export const IdParam = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })

export const OAuthStartQuery = t.Object({ next: t.Optional(t.String({ maxLength: 512 })) })
export const OAuthCallbackQuery = t.Object({
  code: t.Optional(t.String({ maxLength: 512 })),
  state: t.Optional(t.String({ maxLength: 512 })),
  error: t.Optional(t.String({ maxLength: 200 })),
})

export const Diagnostics = t.Object(
  {
    githubWebUrl: t.String(),
    githubApiUrl: t.String(),
    oauthConfigured: t.Boolean(),
    publicUrl: t.String(),
    signingKeys: t.Integer(),
    users: t.Integer(),
    admins: t.Array(t.String()),
  },
  { title: 'AuthDiagnostics' },
)
