import { type Static, t } from 'elysia'
import { Role, Scope } from './scopes'

/** Who is calling, as every service's guard sees it. */
export const Principal = t.Object({
  kind: t.Union([t.Literal('user'), t.Literal('api_key')]),
  userId: t.String(),
  login: t.String(),
  role: Role,
  scopes: t.Array(Scope),
  /** Session id (users) or key id (API keys): what a revocation names. */
  credentialId: t.String(),
})
export type Principal = Static<typeof Principal>

/** Claims of the session JWT that auth signs (EdDSA) and every service verifies locally. */
export const SessionClaims = t.Object({
  sub: t.String(),
  login: t.String(),
  role: Role,
  scopes: t.Array(Scope),
  sid: t.String(),
  exp: t.Integer(),
  iat: t.Integer(),
})
export type SessionClaims = Static<typeof SessionClaims>

export const SESSION_COOKIE = 'bosun_session'
export const JWT_ISSUER = 'bosun-auth'
export const JWT_AUDIENCE = 'bosun'
export const API_KEY_PREFIX = 'psnip_'
