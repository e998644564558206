import type { Principal } from '@bosun/contracts/principal'
import { type Repository, repositoryRemoved, repositorySet } from '@bosun/contracts/workspace'
import { conflict, found, notFound } from '@bosun/service-kit/errors'
import { and, asc, eq } from 'drizzle-orm'
import { repositories } from '../db/schema'
import type { Db, WorkspaceDeps } from '../deps'
import { commitChange, recordChange } from '../workspaces/changes'
import { toRepository } from '../workspaces/service'

export async function listRepositories(database: Db, workspaceId: string): Promise<Repository[]> {
  const rows = await database.db
    .select()
    .from(repositories)
    .where(eq(repositories.workspaceId, workspaceId))
    .orderBy(asc(repositories.fullNameKey))
  return rows.map(toRepository)
}

export async function defaultRepository(database: Db, workspaceId: string): Promise<Repository> {
  const [row] = await database.db
    .select()
    .from(repositories)
    .where(and(eq(repositories.workspaceId, workspaceId), eq(repositories.isDefaultForAgents, true)))
    .limit(1)
  return toRepository(found(row, 'Default repository'))
}

/** Adds a repository; marking it default for agents unmarks the previous default (at most one). */
export function addRepository(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  input: { fullName: string; defaultBranch?: string; isDefaultForAgents?: boolean },
) {
  return commitChange(deps, async (tx) => {
    const key = input.fullName.toLowerCase()
    const where = and(eq(repositories.workspaceId, workspaceId), eq(repositories.fullNameKey, key))
    if ((await tx.select().from(repositories).where(where).limit(1)).length)
      throw conflict(`${input.fullName} is already in this workspace`)
    const live = []
    if (input.isDefaultForAgents) {
      const previous = await tx
        .update(repositories)
        .set({ isDefaultForAgents: false })
        .where(and(eq(repositories.workspaceId, workspaceId), eq(repositories.isDefaultForAgents, true)))
        .returning()
      for (const p of previous)
        live.push(
          await recordChange(tx, deps.bus, workspaceId, repositorySet, {
            repository: toRepository(p),
            by: principal.login,
          }),
        )
    }
    const row = {
      workspaceId,
      fullNameKey: key,
      fullName: input.fullName,
      defaultBranch: input.defaultBranch ?? 'main',
      isDefaultForAgents: input.isDefaultForAgents ?? false,
      addedBy: principal.login,
      addedAt: Date.now(),
    }
    await tx.insert(repositories).values(row)
    const repository = toRepository(row)
    live.push(
      await recordChange(tx, deps.bus, workspaceId, repositorySet, { repository, by: principal.login }),
    )
    return { result: repository, live }
  })
}

export function removeRepository(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  fullName: string,
) {
  return commitChange(deps, async (tx) => {
    const removed = await tx
      .delete(repositories)
      .where(
        and(eq(repositories.workspaceId, workspaceId), eq(repositories.fullNameKey, fullName.toLowerCase())),
      )
      .returning({ fullName: repositories.fullName })
    if (!removed[0]) throw notFound('Repository')
    const live = await recordChange(tx, deps.bus, workspaceId, repositoryRemoved, {
      fullName: removed[0].fullName,
      by: principal.login,
    })
    return { result: undefined, live: [live] }
  })
}
