import type {
  AuthenticationResponse,
  Passkey,
  PasskeyAuthenticationOptions,
  PasskeyRefusal,
  PasskeyRegister,
  PasskeyRegistrationOptions,
} from '@bosun/contracts/passkeys'
import type { Database } from '@bosun/service-kit/db'
import { AppError, conflict, found, invalid } from '@bosun/service-kit/errors'
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import { and, asc, count, eq, gt, lte } from 'drizzle-orm'
import type * as schema from '../db/schema'
import { passkeyChallenges, passkeyCredentials, users } from '../db/schema'
import { admission, userById } from '../users/service'

type Db = Database<typeof schema>
type UserRow = typeof users.$inferSelect
type CredentialRow = typeof passkeyCredentials.$inferSelect

/** Long enough to find the key and touch it; the browser gives up at the same moment. */
export const CHALLENGE_TTL_MS = 5 * 60_000
/** Sign-in options are handed to anyone, so outstanding ones are capped rather than left to fill the disk. */
const MAX_OPEN_SIGN_IN_CHALLENGES = 10_000

/** Relying party: the site people open. Browsers refuse an IP address as an RP ID, hence `usable`. */
export type RelyingParty = { id: string; origin: string; usable: boolean }

export function relyingParty(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl)
  const ip = /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('[')
  return { id: url.hostname, origin: url.origin, usable: !ip }
}

function assertUsable(rp: RelyingParty) {
  if (!rp.usable)
    throw new AppError(
      'unavailable',
      `Passkeys need BOSUN_PUBLIC_URL to name a host, not an IP address (${rp.id}); browsers refuse IP addresses. Try http://localhost:<port>.`,
    )
}

export const refusal = (reason: PasskeyRefusal, message: string) =>
  new AppError('unauthorized', message, { reason })

const KNOWN_TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const
type Transport = (typeof KNOWN_TRANSPORTS)[number]
const knownTransports = (list: readonly string[]) =>
  list.filter((t): t is Transport => (KNOWN_TRANSPORTS as readonly string[]).includes(t))

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const toPasskey = (r: CredentialRow): Passkey => ({
  id: r.id,
  name: r.name,
  createdAt: new Date(r.createdAt).toISOString(),
  lastUsedAt: iso(r.lastUsedAt),
  backedUp: r.backedUp,
  transports: r.transports,
})

async function credentialsOf(database: Db, userId: string) {
  return database.db
    .select()
    .from(passkeyCredentials)
    .where(eq(passkeyCredentials.userId, userId))
    .orderBy(asc(passkeyCredentials.createdAt))
}

export async function registrationOptions(
  database: Db,
  rp: RelyingParty,
  user: UserRow,
): Promise<PasskeyRegistrationOptions> {
  assertUsable(rp)
  const existing = await credentialsOf(database, user.id)
  const options = await generateRegistrationOptions({
    rpName: 'Bosun',
    rpID: rp.id,
    userName: user.login,
    userDisplayName: user.name ?? user.login,
    // The same handle for every passkey of a person, so an authenticator replaces rather than piles up.
    userID: new TextEncoder().encode(user.id),
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({
      id: c.credentialId,
      transports: knownTransports(c.transports),
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  })
  await database.write(async (tx) => {
    await tx.delete(passkeyChallenges).where(lte(passkeyChallenges.expiresAt, Date.now()))
    await tx.insert(passkeyChallenges).values({
      challenge: options.challenge,
      purpose: 'register',
      userId: user.id,
      expiresAt: Date.now() + CHALLENGE_TTL_MS,
    })
  })
  return { ...options, excludeCredentials: options.excludeCredentials?.map(asDescriptor) }
}

const asDescriptor = (d: { id: string; transports?: string[] }) => ({
  id: d.id,
  type: 'public-key' as const,
  ...(d.transports ? { transports: knownTransports(d.transports) } : {}),
})

export async function authenticationOptions(
  database: Db,
  rp: RelyingParty,
): Promise<PasskeyAuthenticationOptions> {
  assertUsable(rp)
  // No allowCredentials: the browser offers the person's discoverable passkeys, so no login is asked first.
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    timeout: CHALLENGE_TTL_MS,
  })
  await database.write(async (tx) => {
    const now = Date.now()
    await tx.delete(passkeyChallenges).where(lte(passkeyChallenges.expiresAt, now))
    const [open] = await tx
      .select({ n: count() })
      .from(passkeyChallenges)
      .where(and(eq(passkeyChallenges.purpose, 'authenticate'), gt(passkeyChallenges.expiresAt, now)))
    if ((open?.n ?? 0) >= MAX_OPEN_SIGN_IN_CHALLENGES)
      throw new AppError(
        'rate_limited',
        'Too many passkey sign-ins are under way; try again in a few minutes',
      )
    await tx.insert(passkeyChallenges).values({
      challenge: options.challenge,
      purpose: 'authenticate',
      userId: null,
      expiresAt: now + CHALLENGE_TTL_MS,
    })
  })
  return {
    challenge: options.challenge,
    rpId: rp.id,
    timeout: CHALLENGE_TTL_MS,
    userVerification: 'required',
  }
}

/** The challenge the browser signed, as it says; only a row we issued and have not used makes it good. */
function claimedChallenge(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown
    }
    return typeof data.challenge === 'string' && data.challenge.length <= 128 ? data.challenge : null
  } catch {
    return null
  }
}

/** Deletes the challenge as it is read: a second answer to it finds nothing, on any instance. */
async function consumeChallenge(
  database: Db,
  clientDataJSON: string,
  purpose: 'register' | 'authenticate',
  userId: string | null,
): Promise<string | null> {
  const challenge = claimedChallenge(clientDataJSON)
  if (!challenge) return null
  const conditions = [
    eq(passkeyChallenges.challenge, challenge),
    eq(passkeyChallenges.purpose, purpose),
    gt(passkeyChallenges.expiresAt, Date.now()),
  ]
  if (userId) conditions.push(eq(passkeyChallenges.userId, userId))
  const taken = await database.write((tx) =>
    tx
      .delete(passkeyChallenges)
      .where(and(...conditions))
      .returning({ challenge: passkeyChallenges.challenge }),
  )
  return taken[0]?.challenge ?? null
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

export async function registerPasskey(
  database: Db,
  rp: RelyingParty,
  userId: string,
  input: PasskeyRegister,
): Promise<Passkey> {
  assertUsable(rp)
  const challenge = await consumeChallenge(
    database,
    input.response.response.clientDataJSON,
    'register',
    userId,
  )
  if (!challenge)
    throw invalid('This registration was not started here, has expired or was already used; start again')
  const verified = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  }).catch((err: unknown) => {
    throw invalid(`The passkey could not be verified: ${reasonOf(err)}`)
  })
  if (!verified.verified) throw invalid('The passkey could not be verified')
  const { credential, credentialBackedUp } = verified.registrationInfo
  const row: CredentialRow = {
    id: Bun.randomUUIDv7(),
    userId,
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: knownTransports(input.response.response.transports ?? []),
    name: input.name ?? 'Passkey',
    backedUp: credentialBackedUp,
    createdAt: Date.now(),
    lastUsedAt: null,
  }
  const inserted = await database.write((tx) =>
    tx.insert(passkeyCredentials).values(row).onConflictDoNothing().returning({ id: passkeyCredentials.id }),
  )
  if (!inserted.length) throw conflict('This passkey is already registered')
  return toPasskey(row)
}

/**
 * Verifies a sign-in and returns who it is. Admission is asked again, exactly as for GitHub sign-in, so a
 * person whose invitation and memberships were withdrawn cannot come back with a passkey.
 */
export async function signInWithPasskey(
  database: Db,
  rp: RelyingParty,
  adminLogins: readonly string[],
  response: AuthenticationResponse,
): Promise<UserRow> {
  assertUsable(rp)
  const challenge = await consumeChallenge(database, response.response.clientDataJSON, 'authenticate', null)
  if (!challenge)
    throw refusal('challenge_invalid', 'This sign-in has expired or was already used; try again')
  const [stored] = await database.db
    .select()
    .from(passkeyCredentials)
    .where(eq(passkeyCredentials.credentialId, response.id))
    .limit(1)
  if (!stored) throw refusal('unknown_credential', 'This passkey is not registered with Bosun')
  const user = await userById(database, stored.userId)
  if (!user) throw refusal('unknown_credential', 'This passkey is not registered with Bosun')
  const role = await admission(database, adminLogins, user.login)
  if (!role) throw refusal('not_invited', `${user.login} no longer has access to Bosun`)
  const verified = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
    credential: {
      id: stored.credentialId,
      publicKey: new Uint8Array(Buffer.from(stored.publicKey, 'base64url')),
      counter: stored.counter,
      transports: stored.transports,
    },
  }).catch((err: unknown) => {
    throw refusal('verification_failed', `The passkey's answer did not verify: ${reasonOf(err)}`)
  })
  if (!verified.verified) throw refusal('verification_failed', "The passkey's answer did not verify")
  const now = Date.now()
  // Compare-and-set on the counter: of two answers raced past the check above, only one signs in.
  const moved = await database.write(async (tx) => {
    const rows = await tx
      .update(passkeyCredentials)
      .set({ counter: verified.authenticationInfo.newCounter, lastUsedAt: now })
      .where(and(eq(passkeyCredentials.id, stored.id), eq(passkeyCredentials.counter, stored.counter)))
      .returning({ id: passkeyCredentials.id })
    if (rows.length) await tx.update(users).set({ role, lastLoginAt: now }).where(eq(users.id, user.id))
    return rows.length > 0
  })
  if (!moved)
    throw refusal('verification_failed', 'This passkey was used by another sign-in at the same moment')
  return { ...user, role, lastLoginAt: now }
}

export async function listPasskeys(database: Db, userId: string): Promise<Passkey[]> {
  return (await credentialsOf(database, userId)).map(toPasskey)
}

/** Someone else's passkey is "not found": its existence is not the caller's business. */
export async function renamePasskey(
  database: Db,
  userId: string,
  id: string,
  name: string,
): Promise<Passkey> {
  const [row] = await database.write((tx) =>
    tx
      .update(passkeyCredentials)
      .set({ name })
      .where(and(eq(passkeyCredentials.id, id), eq(passkeyCredentials.userId, userId)))
      .returning(),
  )
  return toPasskey(found(row, 'Passkey'))
}

export async function deletePasskey(database: Db, userId: string, id: string): Promise<void> {
  const removed = await database.write((tx) =>
    tx
      .delete(passkeyCredentials)
      .where(and(eq(passkeyCredentials.id, id), eq(passkeyCredentials.userId, userId)))
      .returning({ id: passkeyCredentials.id }),
  )
  found(removed[0], 'Passkey')
}
