import {
  apiKeyRevoked,
  jwksRpc,
  revokedSessionsRpc,
  sessionRevoked,
  verifyKeyRpc,
} from '@bosun/contracts/auth'
import {
  API_KEY_PREFIX,
  JWT_AUDIENCE,
  JWT_ISSUER,
  type Principal,
  SESSION_COOKIE,
  SessionClaims,
} from '@bosun/contracts/principal'
import { hasScopes, type Scope } from '@bosun/contracts/scopes'
import { Elysia } from 'elysia'
import { createLocalJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { assertSameOrigin } from './browser-origin'
import type { Bus } from './bus'
import { AppError, forbidden, unauthorized } from './errors'
import { clientAddress, createRateLimit } from './rate-limit'
import { isValid } from './validate'

const KEY_CACHE_MS = 30_000
const NEGATIVE_CACHE_MS = 5_000
const JWKS_REFRESH_MIN_MS = 30_000
const KEY_CACHE_MAX = 10_000
/** The shape auth mints; anything else is refused before it costs a lookup or a cache entry. */
const API_KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{20,200}$`)

export type AuthGuard = {
  /** Resolves the caller of a request, or throws 401. */
  principal(request: Request): Promise<Principal>
  /**
   * The caller of a request when its credential was verified recently and is still good, without waiting;
   * `undefined` when only `principal` can tell (not cached, expired, revoked or refused).
   */
  cachedPrincipal(request: Request): Principal | undefined
  verifySession(token: string): Promise<Principal>
}

export function sha256Hex(value: string): string {
  return new Bun.CryptoHasher('sha256').update(value).digest('hex')
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        // A malformed escape is no credential at all: the caller gets 401, not a 500.
        return undefined
      }
    }
  }
  return undefined
}

/**
 * Verifies session JWTs locally against auth's JWKS and API keys through auth over NATS, with short caches. A
 * session cookie on a write or a WebSocket upgrade is only taken from `browserOrigins` (see `browserOrigins`).
 */
export function createAuthGuard(
  bus: Pick<Bus, 'request' | 'onEvent'>,
  opts: { browserOrigins?: readonly string[]; failedKeyLookupsPerMinute?: number } = {},
): AuthGuard {
  const allowedOrigins = new Set(opts.browserOrigins ?? [])
  /** Guessing keys costs auth a lookup each: an address that keeps failing is refused before asking. */
  const failedLookups = createRateLimit({
    limit: opts.failedKeyLookupsPerMinute ?? 30,
    windowMs: 60_000,
    what: 'failed API-key lookups',
  })
  let jwks: JWTVerifyGetKey | undefined
  let jwksFetchedAt = 0
  /**
   * By the presented key, so a warm request costs a map lookup instead of a SHA-256 (a tenth of a cached read);
   * the key is already in this process's memory for every request that carries it.
   */
  const keyCache = new Map<string, { principal?: Principal; until: number }>()
  const revokedSessions = new Map<string, number>()
  /** Sessions already verified, by exact token: the signature check is skipped, expiry and revocation are not. */
  const sessionCache = new Map<string, { principal: Principal; expMs: number }>()

  bus.onEvent(apiKeyRevoked, ({ keyId }) => {
    for (const [key, entry] of keyCache) if (entry.principal?.credentialId === keyId) keyCache.delete(key)
  })
  bus.onEvent(sessionRevoked, ({ sessionId, expiresAt }) => {
    revokedSessions.set(sessionId, Date.parse(expiresAt))
  })

  const loadJwks = async (force: boolean) => {
    if (jwks && !force) return jwks
    if (jwks && Date.now() - jwksFetchedAt < JWKS_REFRESH_MIN_MS) return jwks
    try {
      // Revocations made before this guard existed were never heard as events: load them with the keys.
      const [set, revoked] = await Promise.all([
        bus.request(jwksRpc, {}),
        bus.request(revokedSessionsRpc, {}),
      ])
      for (const r of revoked.sessions) revokedSessions.set(r.sessionId, Date.parse(r.expiresAt))
      jwks = createLocalJWKSet(set)
      jwksFetchedAt = Date.now()
      return jwks
    } catch {
      if (jwks) return jwks
      throw new AppError('unavailable', 'Cannot reach the auth service to verify the session')
    }
  }

  const cachedSession = (token: string): Principal | undefined => {
    const seen = sessionCache.get(token)
    if (!seen) return undefined
    const revokedUntil = revokedSessions.get(seen.principal.credentialId)
    if (seen.expMs > Date.now() && (revokedUntil === undefined || revokedUntil <= Date.now()))
      return seen.principal
    sessionCache.delete(token)
    return undefined
  }

  const verifySession = async (token: string): Promise<Principal> => {
    const seen = cachedSession(token)
    if (seen) return seen
    const verifyWith = async (keys: JWTVerifyGetKey) =>
      jwtVerify(token, keys, {
        algorithms: ['EdDSA'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        // jose checks exp only when present; a session without one is refused.
        requiredClaims: ['exp', 'iat', 'sub'],
      })
    let payload: unknown
    try {
      payload = (await verifyWith(await loadJwks(false))).payload
    } catch (err) {
      if (err instanceof AppError) throw err
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY')
        throw unauthorized('Invalid session')
      try {
        payload = (await verifyWith(await loadJwks(true))).payload
      } catch {
        throw unauthorized('Invalid session')
      }
    }
    if (!isValid(SessionClaims, payload)) throw unauthorized('Invalid session')
    const claims = payload as SessionClaims
    const revokedUntil = revokedSessions.get(claims.sid)
    if (revokedUntil !== undefined) {
      if (revokedUntil > Date.now()) throw unauthorized('Session ended')
      revokedSessions.delete(claims.sid)
    }
    const principal: Principal = {
      kind: 'user',
      userId: claims.sub,
      login: claims.login,
      role: claims.role,
      scopes: claims.scopes,
      credentialId: claims.sid,
    }
    if (sessionCache.size >= KEY_CACHE_MAX) sessionCache.clear()
    sessionCache.set(token, { principal, expMs: claims.exp * 1000 })
    return principal
  }

  const verifyKey = async (key: string, address: string): Promise<Principal> => {
    const cached = keyCache.get(key)
    const fresh = cached && cached.until > Date.now() ? cached : undefined
    if (fresh?.principal) return fresh.principal
    failedLookups.check(address)
    if (fresh || !API_KEY_SHAPE.test(key)) {
      failedLookups.record(address)
      throw unauthorized('Invalid API key')
    }
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear()
    try {
      const { principal } = await bus.request(verifyKeyRpc, { keyHash: sha256Hex(key) })
      keyCache.set(key, { principal, until: Date.now() + KEY_CACHE_MS })
      return principal
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') {
        failedLookups.record(address)
        keyCache.set(key, { until: Date.now() + NEGATIVE_CACHE_MS })
        throw unauthorized('Invalid API key')
      }
      throw new AppError('unavailable', 'Cannot reach the auth service to verify the API key')
    }
  }

  /** The credential a request presents, or a refusal when what it presents cannot be one. */
  const credentialOf = (request: Request): { kind: 'key' | 'session'; value: string } => {
    const header = request.headers.get('authorization')
    if (header) {
      const [scheme, value] = header.split(' ', 2)
      if (scheme?.toLowerCase() !== 'bearer' || !value)
        throw unauthorized('Use Authorization: Bearer <token>')
      return { kind: value.startsWith(API_KEY_PREFIX) ? 'key' : 'session', value }
    }
    const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE)
    if (cookie) {
      assertSameOrigin(request, allowedOrigins)
      return { kind: 'session', value: cookie }
    }
    throw unauthorized()
  }

  return {
    verifySession,
    cachedPrincipal(request) {
      let credential: ReturnType<typeof credentialOf>
      try {
        credential = credentialOf(request)
      } catch {
        return undefined
      }
      if (credential.kind === 'session') return cachedSession(credential.value)
      const cached = keyCache.get(credential.value)
      return cached && cached.until > Date.now() ? cached.principal : undefined
    },
    async principal(request) {
      const credential = credentialOf(request)
      return credential.kind === 'key'
        ? verifyKey(credential.value, clientAddress(request))
        : verifySession(credential.value)
    },
  }
}

/**
 * The one authorization rule of a request: a signed-in caller (else 401) holding `scopes` (else 403). Routes
 * reach it through the `auth` macro; sockets and service macros call it themselves.
 */
export async function authorize(guard: AuthGuard, request: Request, scopes: readonly Scope[]) {
  return permitted(await guard.principal(request), scopes)
}

const permitted = (principal: Principal, scopes: readonly Scope[]) => {
  if (!holds(principal, scopes)) throw forbidden(`Requires scope ${scopes.join(', ')}`)
  return principal
}

/**
 * What `authorize` resolves to when that is known without waiting (the credential was verified recently), for a
 * fast path; `undefined` otherwise, refusals included, which the route then gives through `authorize`.
 */
export function authorizedNow(guard: AuthGuard, request: Request, scopes: readonly Scope[]) {
  const principal = guard.cachedPrincipal(request)
  return principal && holds(principal, scopes) ? principal : undefined
}

const holds = (principal: Principal, scopes: readonly Scope[]) => hasScopes(principal.scopes, scopes)

/**
 * The route macro: `{ auth: ['team_members:read'] }` requires a caller holding those scopes and puts
 * `principal` in the handler's context; `{ auth: [] }` requires only a signed-in caller. The caller is settled
 * before anything is validated, so an anonymous caller learns 401, not what the route expects.
 */
export function authPlugin(guard: AuthGuard) {
  const settled = new WeakMap<Request, Promise<Principal>>()
  const principalOf = (request: Request) => {
    let principal = settled.get(request)
    if (!principal) {
      principal = guard.principal(request)
      settled.set(request, principal)
    }
    return principal
  }
  return new Elysia({ name: 'bosun-auth' }).macro({
    auth: (scopes: readonly Scope[]) => ({
      async transform({ request }) {
        await principalOf(request)
      },
      async resolve({ request }) {
        return { principal: permitted(await principalOf(request), scopes) }
      },
    }),
  })
}
