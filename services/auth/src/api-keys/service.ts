import { type ApiKey, type ApiKeyCreate, apiKeyRevoked } from '@bosun/contracts/auth'
import { API_KEY_PREFIX, type Principal } from '@bosun/contracts/principal'
import { roleScopes, type Scope } from '@bosun/contracts/scopes'
import { sha256Hex } from '@bosun/service-kit/auth-guard'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import { forbidden, found, notFound } from '@bosun/service-kit/errors'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import { and, desc, eq, isNull } from 'drizzle-orm'
import type * as schema from '../db/schema'
import { apiKeys, users } from '../db/schema'

type Db = Database<typeof schema>
type KeyRow = typeof apiKeys.$inferSelect

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const toApiKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes as Scope[],
  userId: r.userId,
  createdAt: new Date(r.createdAt).toISOString(),
  expiresAt: iso(r.expiresAt),
  lastUsedAt: iso(r.lastUsedAt),
})

export const newKey = () =>
  `${API_KEY_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`

/** A key made with a key expires no later than it: otherwise a short-lived key could mint a permanent one. */
async function expiryCap(database: Db, principal: Principal): Promise<number | null> {
  if (principal.kind !== 'api_key') return null
  const [parent] = await database.db
    .select({ expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, principal.credentialId))
    .limit(1)
  return parent?.expiresAt ?? null
}

export async function createApiKey(database: Db, principal: Principal, input: ApiKeyCreate) {
  const beyond = input.scopes.filter((s) => !principal.scopes.includes(s))
  if (beyond.length) throw forbidden(`You cannot grant scopes you do not hold: ${beyond.join(', ')}`)
  const requested = input.expiresInDays ? Date.now() + input.expiresInDays * 86_400_000 : null
  const cap = await expiryCap(database, principal)
  const key = newKey()
  const row: KeyRow = {
    id: Bun.randomUUIDv7(),
    userId: principal.userId,
    name: input.name,
    prefix: key.slice(0, 12),
    hash: sha256Hex(key),
    scopes: input.scopes,
    createdAt: Date.now(),
    expiresAt: cap === null ? requested : Math.min(requested ?? cap, cap),
    lastUsedAt: null,
    revokedAt: null,
  }
  await database.write((tx) => tx.insert(apiKeys).values(row))
  return { ...toApiKey(row), key }
}

export async function listApiKeys(
  database: Db,
  principal: Principal,
  sort: 'created_at' | 'name',
  desc_: boolean,
) {
  const rows = await database.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, principal.userId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt))
  const list = rows.map(toApiKey)
  list.sort((a, b) =>
    sort === 'name' ? a.name.localeCompare(b.name) : a.createdAt.localeCompare(b.createdAt),
  )
  return desc_ ? list.reverse() : list
}

/** Revokes a key the caller owns (admins: any key). Someone else's key is 404, never 403. */
export async function revokeApiKey(database: Db, bus: Bus, principal: Principal, id: string) {
  await database.write(async (tx) => {
    const [row] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .limit(1)
    const mine = row && (row.userId === principal.userId || principal.scopes.includes('users:admin'))
    if (!row || !mine) throw notFound('API key')
    await tx.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, id))
    await enqueueEvent(tx, bus, apiKeyRevoked, { keyId: row.id, userId: row.userId })
  })
}

/** The principal behind a key hash; scopes are capped by the owner's current role. */
export async function principalForKeyHash(database: Db, keyHash: string): Promise<Principal> {
  const [row] = await database.db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.hash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1)
  const hit = found(row, 'API key')
  if (hit.key.expiresAt !== null && hit.key.expiresAt < Date.now()) throw notFound('API key')
  const allowed = roleScopes[hit.user.role]
  // Best effort, not awaited: a failed write must not fail the lookup, nor (unhandled) end the process.
  database
    .write((tx) => tx.update(apiKeys).set({ lastUsedAt: Date.now() }).where(eq(apiKeys.id, hit.key.id)))
    .catch(() => {})
  return {
    kind: 'api_key',
    userId: hit.user.id,
    login: hit.user.login,
    role: hit.user.role,
    scopes: (hit.key.scopes as Scope[]).filter((s) => allowed.includes(s)),
    credentialId: hit.key.id,
  }
}

/** BOSUN_BOOTSTRAP_API_KEY: an admin key with every scope, for automation; idempotent across restarts. */
export async function ensureBootstrapKey(database: Db, userId: string, key: string) {
  const hash = sha256Hex(key)
  const row: KeyRow = {
    id: 'bootstrap',
    userId,
    name: 'bootstrap (BOSUN_BOOTSTRAP_API_KEY)',
    prefix: key.slice(0, 12),
    hash,
    scopes: [...roleScopes.admin],
    createdAt: Date.now(),
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
  }
  await database.write((tx) =>
    tx
      .insert(apiKeys)
      .values(row)
      .onConflictDoUpdate({
        target: apiKeys.id,
        set: { hash, prefix: row.prefix, scopes: row.scopes, userId, revokedAt: null },
      }),
  )
}
