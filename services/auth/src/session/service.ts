import { sessionRevoked } from '@bosun/contracts/auth'
import { JWT_AUDIENCE, JWT_ISSUER, type Principal } from '@bosun/contracts/principal'
import { roleScopes } from '@bosun/contracts/scopes'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database, Tx } from '@bosun/service-kit/db'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm'
import { SignJWT } from 'jose'
import type * as schema from '../db/schema'
import { sessions, type users } from '../db/schema'
import type { SigningKeys } from './keys'

type Db = Database<typeof schema>

export async function issueSession(
  database: Db,
  keys: SigningKeys,
  user: typeof users.$inferSelect,
  ttlSeconds: number,
): Promise<{ token: string; sessionId: string; expiresAt: number }> {
  const sessionId = Bun.randomUUIDv7()
  const now = Math.floor(Date.now() / 1000)
  const exp = now + ttlSeconds
  await database.write((tx) =>
    tx
      .insert(sessions)
      .values({ id: sessionId, userId: user.id, createdAt: now * 1000, expiresAt: exp * 1000 }),
  )
  const token = await new SignJWT({
    login: user.login,
    role: user.role,
    scopes: [...roleScopes[user.role]],
    sid: sessionId,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(keys.privateKey)
  return { token, sessionId, expiresAt: exp * 1000 }
}

/** Ends a session; every service's guard hears the revocation and refuses the token from then on. */
export async function revokeSession(database: Db, bus: Bus, principal: Principal): Promise<void> {
  if (principal.kind !== 'user') return
  await database.write(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ revokedAt: Date.now() })
      .where(and(eq(sessions.id, principal.credentialId), isNull(sessions.revokedAt)))
      .returning()
    if (!row) return
    await enqueueEvent(tx, bus, sessionRevoked, {
      sessionId: row.id,
      expiresAt: new Date(row.expiresAt).toISOString(),
    })
  })
}

/** Ends every live session of a user, in the caller's transaction; each guard hears each revocation. */
export async function endSessionsOf(tx: Tx<typeof schema>, bus: Bus, userId: string): Promise<void> {
  const ended = await tx
    .update(sessions)
    .set({ revokedAt: Date.now() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now())))
    .returning()
  for (const row of ended)
    await enqueueEvent(tx, bus, sessionRevoked, {
      sessionId: row.id,
      expiresAt: new Date(row.expiresAt).toISOString(),
    })
}

/** Revoked sessions still within their lifetime: what a guard must refuse besides the events it hears. */
export async function revokedSessions(database: Db) {
  const rows = await database.db
    .select({ id: sessions.id, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(isNotNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now())))
  return rows.map((r) => ({ sessionId: r.id, expiresAt: new Date(r.expiresAt).toISOString() }))
}

export function appsFor(scopes: readonly string[]): string[] {
  const apps: string[] = []
  if (scopes.includes('team_members:read')) apps.push('dashboard')
  if (scopes.includes('aica:read')) apps.push('aica')
  return apps
}
