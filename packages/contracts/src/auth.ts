import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'
import { Principal } from './principal'
import { defineRpc } from './rpc'

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
export const sessionRevoked = defineEvent(
  'auth.session.revoked',
  t.Object({ sessionId: t.String(), expiresAt: t.String({ format: 'date-time' }) }),
)
