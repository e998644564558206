import type { Principal } from '@bosun/contracts/principal'
import type { Snapshot, Workspace } from '@bosun/contracts/workspace'
import { memberAdded, workspaceCreated } from '@bosun/contracts/workspace'
import { conflict, found, notFound } from '@bosun/service-kit/errors'
import { and, asc, count, eq, sql } from 'drizzle-orm'
import {
  authorRecords,
  checkPolicies,
  members,
  repositories,
  starredComments,
  starredFolders,
  workspaces,
} from '../db/schema'
import type { Db, WorkspaceDeps } from '../deps'
import { recordChange } from './changes'

const iso = (ms: number) => new Date(ms).toISOString()
export const loginKey = (login: string) => login.toLowerCase()

type WorkspaceRow = typeof workspaces.$inferSelect

const prepared = new WeakMap<Db, ReturnType<typeof prepareAccess>>()
/**
 * One statement answers both questions: does the workspace exist, and is the caller in it. Prepared once per
 * database: every write runs it (writes keep the snapshot cache cold), and building it per call cost more than
 * running it.
 */
const prepareAccess = (database: Db) =>
  database.db
    .select({ member: members.loginKey })
    .from(workspaces)
    .leftJoin(
      members,
      and(eq(members.workspaceId, workspaces.id), eq(members.loginKey, sql.placeholder('login'))),
    )
    .where(eq(workspaces.id, sql.placeholder('id')))
    .limit(1)
    .prepare()
const accessQuery = (database: Db) => {
  const query = prepared.get(database) ?? prepareAccess(database)
  prepared.set(database, query)
  return query
}

/**
 * The caller must belong to the workspace (admins see all); anything else is 404 so existence doesn't leak.
 * Answered from the snapshot cache when it is warm, else by one indexed lookup (writes keep it cold).
 */
export async function accessibleWorkspace(
  deps: Pick<WorkspaceDeps, 'cache' | 'database'>,
  principal: Principal,
  id: string,
) {
  const cached = deps.cache.peek(id)
  if (cached) {
    if (!maySee(cached, principal)) throw notFound('Workspace')
    return
  }
  const [row] = await accessQuery(deps.database).all({ id, login: loginKey(principal.login) })
  if (!row || (principal.role !== 'admin' && !row.member)) throw notFound('Workspace')
}

/** The membership rule on a snapshot in memory: a member, or an admin. */
export const maySee = (entry: { memberKeys: Set<string> }, principal: Principal) =>
  principal.role === 'admin' || entry.memberKeys.has(loginKey(principal.login))

/** The snapshot's JSON, for a caller the route's access check admitted. */
export async function cachedSnapshot(deps: Pick<WorkspaceDeps, 'cache'>, id: string) {
  return (await deps.cache.get(id)).body
}

export async function isMember(database: Db, workspaceId: string, login: string): Promise<boolean> {
  const [hit] = await database.db
    .select({ login: members.login })
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.loginKey, loginKey(login))))
    .limit(1)
  return Boolean(hit)
}

async function toWorkspace(database: Db, row: WorkspaceRow): Promise<Workspace> {
  const [n] = await database.db.select({ n: count() }).from(members).where(eq(members.workspaceId, row.id))
  return {
    id: row.id,
    name: row.name,
    createdAt: iso(row.createdAt),
    createdBy: row.createdBy,
    memberCount: n?.n ?? 0,
  }
}

export async function listWorkspaces(database: Db, principal: Principal): Promise<Workspace[]> {
  const rows =
    principal.role === 'admin'
      ? await database.db.select().from(workspaces).orderBy(asc(workspaces.id))
      : await database.db
          .select({ w: workspaces })
          .from(workspaces)
          .innerJoin(
            members,
            and(eq(members.workspaceId, workspaces.id), eq(members.loginKey, loginKey(principal.login))),
          )
          .orderBy(asc(workspaces.id))
          .then((r) => r.map((x) => x.w))
  return Promise.all(rows.map((r) => toWorkspace(database, r)))
}

/** Creates a workspace; its creator becomes the first member (unless it is the bootstrap automation user). */
export async function createWorkspace(
  deps: WorkspaceDeps,
  principal: Principal,
  input: { id: string; name: string },
) {
  const { database, bus } = deps
  const live = await database.write(async (tx) => {
    const [existing] = await tx.select().from(workspaces).where(eq(workspaces.id, input.id)).limit(1)
    if (existing) throw conflict(`Workspace ${input.id} already exists`)
    await tx
      .insert(workspaces)
      .values({ id: input.id, name: input.name, createdBy: principal.login, createdAt: Date.now() })
    const created = [
      await recordChange(tx, bus, input.id, workspaceCreated, { name: input.name, by: principal.login }),
    ]
    if (principal.kind === 'user') {
      await tx.insert(members).values({
        workspaceId: input.id,
        loginKey: loginKey(principal.login),
        login: principal.login,
        addedBy: principal.login,
        addedAt: Date.now(),
      })
      created.push(
        await recordChange(tx, bus, input.id, memberAdded, { login: principal.login, by: principal.login }),
      )
    }
    return created
  })
  for (const c of live) {
    deps.cache.invalidate(c.workspaceId)
    deps.hub.publish(c)
  }
  const row = found(
    (await database.db.select().from(workspaces).where(eq(workspaces.id, input.id)))[0],
    'Workspace',
  )
  return toWorkspace(database, row)
}

/** The whole state at one sequence number: read in one batch, which SQLite runs as one read transaction. */
export async function snapshot(database: Db, id: string): Promise<Snapshot> {
  const { db } = database
  const [ws, m, a, p, c, f, r] = await db.batch([
    db.select().from(workspaces).where(eq(workspaces.id, id)),
    db.select().from(members).where(eq(members.workspaceId, id)).orderBy(asc(members.loginKey)),
    db
      .select()
      .from(authorRecords)
      .where(eq(authorRecords.workspaceId, id))
      .orderBy(asc(authorRecords.loginKey)),
    db.select().from(checkPolicies).where(eq(checkPolicies.workspaceId, id)).orderBy(asc(checkPolicies.name)),
    db
      .select()
      .from(starredComments)
      .where(eq(starredComments.workspaceId, id))
      .orderBy(asc(starredComments.at)),
    db
      .select()
      .from(starredFolders)
      .where(eq(starredFolders.workspaceId, id))
      .orderBy(asc(starredFolders.name)),
    db
      .select()
      .from(repositories)
      .where(eq(repositories.workspaceId, id))
      .orderBy(asc(repositories.fullNameKey)),
  ])
  const row = found(ws[0], 'Workspace')
  return {
    workspace: {
      id: row.id,
      name: row.name,
      createdAt: iso(row.createdAt),
      createdBy: row.createdBy,
      memberCount: m.length,
    },
    seq: row.seq,
    members: m.map((x) => ({ login: x.login, addedBy: x.addedBy, addedAt: iso(x.addedAt) })),
    authorRecords: a.map(toAuthorRecord),
    checkPolicies: p.map(toCheckPolicy),
    starredComments: c.map(toStarredComment),
    starredFolders: f.map((x) => ({ name: x.name, createdBy: x.createdBy, createdAt: iso(x.createdAt) })),
    repositories: r.map(toRepository),
  }
}

export const toAuthorRecord = (x: typeof authorRecords.$inferSelect) => ({
  login: x.login,
  status: x.status,
  note: x.note,
  by: x.by,
  at: iso(x.at),
})
export const toCheckPolicy = (x: typeof checkPolicies.$inferSelect) => ({
  name: x.name,
  requiredChecks: x.requiredChecks,
  repos: x.repos,
  by: x.by,
  at: iso(x.at),
})
export const toStarredComment = (x: typeof starredComments.$inferSelect) => ({
  commentId: x.commentId,
  url: x.url,
  body: x.body,
  author: x.author,
  repo: x.repo,
  prNumber: x.prNumber,
  folder: x.folder,
  by: x.by,
  at: iso(x.at),
})
export const toRepository = (x: typeof repositories.$inferSelect) => ({
  fullName: x.fullName,
  defaultBranch: x.defaultBranch,
  isDefaultForAgents: x.isDefaultForAgents,
  addedBy: x.addedBy,
  addedAt: iso(x.addedAt),
})

export async function currentSeq(database: Db, id: string): Promise<number | undefined> {
  const [row] = await database.db
    .select({ seq: workspaces.seq })
    .from(workspaces)
    .where(eq(workspaces.id, id))
  return row?.seq
}
