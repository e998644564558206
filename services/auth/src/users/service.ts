import { type Invite, principalChanged, type User } from '@bosun/contracts/auth'
import { type Role, roleScopes } from '@bosun/contracts/scopes'
import type { Bus } from '@bosun/service-kit/bus'
import type { Database } from '@bosun/service-kit/db'
import { found } from '@bosun/service-kit/errors'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import type { SecretBox } from '@bosun/service-kit/secret-box'
import { asc, eq } from 'drizzle-orm'
import type * as schema from '../db/schema'
import { invites, memberships, users } from '../db/schema'
import { endSessionsOf } from '../session/service'

type Db = Database<typeof schema>
type UserRow = typeof users.$inferSelect

export const loginKey = (login: string) => login.toLowerCase()

export const toUser = (u: UserRow): User => ({
  id: u.id,
  login: u.login,
  name: u.name,
  avatarUrl: u.avatarUrl,
  role: u.role,
})

export async function userById(database: Db, id: string) {
  return (await database.db.select().from(users).where(eq(users.id, id)).limit(1))[0]
}

export async function userByLogin(database: Db, login: string) {
  return (
    await database.db
      .select()
      .from(users)
      .where(eq(users.loginKey, loginKey(login)))
      .limit(1)
  )[0]
}

/**
 * Invite-only admission: admins by configuration, invited logins, and members of any workspace.
 * Returns the role to sign in with, or null when the login may not enter.
 */
export async function admission(
  database: Db,
  adminLogins: readonly string[],
  login: string,
): Promise<Role | null> {
  const key = loginKey(login)
  if (adminLogins.includes(key)) return 'admin'
  const [invite] = await database.db.select().from(invites).where(eq(invites.loginKey, key)).limit(1)
  const [member] = await database.db.select().from(memberships).where(eq(memberships.loginKey, key)).limit(1)
  if (!invite && !member) return null
  const existing = await userByLogin(database, login)
  return existing?.role ?? invite?.role ?? 'member'
}

/** Creates or refreshes the user on sign-in; the GitHub token is stored sealed, bound to the user id. */
export async function upsertSignedInUser(
  database: Db,
  box: SecretBox,
  gh: { login: string; name: string | null; avatarUrl: string | null; token: string },
  role: Role,
): Promise<UserRow> {
  const existing = await userByLogin(database, gh.login)
  const id = existing?.id ?? Bun.randomUUIDv7()
  const sealed = await box.seal(gh.token, id)
  const now = Date.now()
  await database.write((tx) =>
    tx
      .insert(users)
      .values({
        id,
        login: gh.login,
        loginKey: loginKey(gh.login),
        name: gh.name,
        avatarUrl: gh.avatarUrl,
        role,
        githubTokenSealed: sealed,
        createdAt: now,
        lastLoginAt: now,
      })
      .onConflictDoUpdate({
        target: users.loginKey,
        set: {
          login: gh.login,
          name: gh.name,
          avatarUrl: gh.avatarUrl,
          role,
          githubTokenSealed: sealed,
          lastLoginAt: now,
        },
      }),
  )
  return found(await userByLogin(database, gh.login), 'User')
}

export async function githubToken(database: Db, box: SecretBox, userId: string): Promise<string> {
  const user = found(await userById(database, userId), 'User')
  const sealed = found(user.githubTokenSealed, 'GitHub token')
  return box.open(sealed, user.id)
}

export async function ensureServiceUser(database: Db, login: string, role: Role): Promise<UserRow> {
  const existing = await userByLogin(database, login)
  if (existing) return existing
  await database.write((tx) =>
    tx
      .insert(users)
      .values({
        id: Bun.randomUUIDv7(),
        login,
        loginKey: loginKey(login),
        name: null,
        avatarUrl: null,
        role,
        createdAt: Date.now(),
      })
      .onConflictDoNothing(),
  )
  return found(await userByLogin(database, login), 'User')
}

export async function listUsers(database: Db): Promise<User[]> {
  return (await database.db.select().from(users).orderBy(asc(users.loginKey))).map(toUser)
}

/**
 * A session token carries its role's scopes until it expires, so a role that loses scopes ends the user's
 * sessions: the demotion holds at once, not hours later.
 */
export async function setRole(database: Db, bus: Bus, login: string, role: Role): Promise<User> {
  const user = found(await userByLogin(database, login), 'User')
  const loses = roleScopes[user.role].some((s) => !roleScopes[role].includes(s))
  await database.write(async (tx) => {
    await tx.update(users).set({ role }).where(eq(users.id, user.id))
    if (loses) await endSessionsOf(tx, bus, user.id)
    if (role !== user.role)
      await enqueueEvent(tx, bus, principalChanged, { userId: user.id, login: user.login, role })
  })
  return toUser({ ...user, role })
}

const toInvite = (r: typeof invites.$inferSelect): Invite => ({
  login: r.login,
  role: r.role,
  invitedBy: r.invitedBy,
  createdAt: new Date(r.createdAt).toISOString(),
})

export async function listInvites(database: Db): Promise<Invite[]> {
  return (await database.db.select().from(invites).orderBy(asc(invites.loginKey))).map(toInvite)
}

export async function createInvite(database: Db, login: string, role: Role, by: string): Promise<Invite> {
  const row = { loginKey: loginKey(login), login, role, invitedBy: by, createdAt: Date.now() }
  await database.write((tx) =>
    tx
      .insert(invites)
      .values(row)
      .onConflictDoUpdate({ target: invites.loginKey, set: { role, invitedBy: by } }),
  )
  return toInvite(row)
}

export async function deleteInvite(database: Db, login: string): Promise<void> {
  const removed = await database.write((tx) =>
    tx
      .delete(invites)
      .where(eq(invites.loginKey, loginKey(login)))
      .returning({ login: invites.login }),
  )
  found(removed[0], 'Invite')
}

export async function countUsers(database: Db): Promise<number> {
  return (await database.db.select({ id: users.id }).from(users)).length
}
