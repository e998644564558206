import type { Principal } from '@bosun/contracts/principal'
import type { LiveChange } from '@bosun/contracts/workspace'
import {
  starredCommentRemoved,
  starredCommentSet,
  starredFolderCreated,
  starredFolderRemoved,
  starredFolderRenamed,
} from '@bosun/contracts/workspace'
import { conflict, invalid, notFound } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { starredComments, starredFolders } from '../db/schema'
import type { WorkspaceDeps } from '../deps'
import { commitChange, recordChange, type WsTx } from '../workspaces/changes'
import { toStarredComment } from '../workspaces/service'

type CommentInput = {
  commentId: string
  url: string
  body?: string
  author?: string
  repo?: string
  prNumber?: number
  folder?: string | null
}

async function folderExists(tx: WsTx, workspaceId: string, name: string) {
  const where = and(eq(starredFolders.workspaceId, workspaceId), eq(starredFolders.name, name))
  return (await tx.select().from(starredFolders).where(where).limit(1)).length > 0
}

/** Starring a comment again updates it; giving another folder moves it there (null: out of any folder). */
export function starComment(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  input: CommentInput,
) {
  return commitChange(deps, async (tx) => {
    const folder = input.folder ?? null
    if (folder !== null && !(await folderExists(tx, workspaceId, folder)))
      throw invalid(`Folder ${folder} does not exist`, [
        { in: 'body', path: '/folder', message: 'unknown folder' },
      ])
    const row = {
      workspaceId,
      commentId: input.commentId,
      url: input.url,
      body: input.body ?? '',
      author: input.author ?? '',
      repo: input.repo ?? null,
      prNumber: input.prNumber ?? null,
      folder,
      by: principal.login,
      at: Date.now(),
    }
    const { workspaceId: _, commentId: __, ...update } = row
    await tx
      .insert(starredComments)
      .values(row)
      .onConflictDoUpdate({ target: [starredComments.workspaceId, starredComments.commentId], set: update })
    const comment = toStarredComment(row)
    const live = await recordChange(tx, deps.bus, workspaceId, starredCommentSet, {
      comment,
      by: principal.login,
    })
    return { result: comment, live: [live] }
  })
}

export function unstarComment(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  commentId: string,
) {
  return commitChange(deps, async (tx) => {
    const removed = await tx
      .delete(starredComments)
      .where(and(eq(starredComments.workspaceId, workspaceId), eq(starredComments.commentId, commentId)))
      .returning({ id: starredComments.commentId })
    if (!removed[0]) throw notFound('Starred comment')
    const live = await recordChange(tx, deps.bus, workspaceId, starredCommentRemoved, {
      commentId,
      by: principal.login,
    })
    return { result: undefined, live: [live] }
  })
}

export function createFolder(deps: WorkspaceDeps, principal: Principal, workspaceId: string, name: string) {
  return commitChange(deps, async (tx) => {
    if (await folderExists(tx, workspaceId, name)) throw conflict(`Folder ${name} already exists`)
    const row = { workspaceId, name, createdBy: principal.login, createdAt: Date.now() }
    await tx.insert(starredFolders).values(row)
    const folder = { name, createdBy: row.createdBy, createdAt: new Date(row.createdAt).toISOString() }
    const live = await recordChange(tx, deps.bus, workspaceId, starredFolderCreated, {
      folder,
      by: principal.login,
    })
    return { result: folder, live: [live] }
  })
}

/** Renaming a folder carries its comments along. */
export function renameFolder(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  from: string,
  to: string,
) {
  return commitChange(deps, async (tx) => {
    const [row] = await tx
      .select()
      .from(starredFolders)
      .where(and(eq(starredFolders.workspaceId, workspaceId), eq(starredFolders.name, from)))
    if (!row) throw notFound('Folder')
    if (from !== to && (await folderExists(tx, workspaceId, to)))
      throw conflict(`Folder ${to} already exists`)
    await tx
      .update(starredFolders)
      .set({ name: to })
      .where(and(eq(starredFolders.workspaceId, workspaceId), eq(starredFolders.name, from)))
    await tx
      .update(starredComments)
      .set({ folder: to })
      .where(and(eq(starredComments.workspaceId, workspaceId), eq(starredComments.folder, from)))
    const live = await recordChange(tx, deps.bus, workspaceId, starredFolderRenamed, {
      from,
      to,
      by: principal.login,
    })
    return {
      result: { name: to, createdBy: row.createdBy, createdAt: new Date(row.createdAt).toISOString() },
      live: [live],
    }
  })
}

/** Deleting a folder keeps its comments, out of any folder. */
export function removeFolder(deps: WorkspaceDeps, principal: Principal, workspaceId: string, name: string) {
  return commitChange(deps, async (tx) => {
    const removed = await tx
      .delete(starredFolders)
      .where(and(eq(starredFolders.workspaceId, workspaceId), eq(starredFolders.name, name)))
      .returning({ name: starredFolders.name })
    if (!removed[0]) throw notFound('Folder')
    await tx
      .update(starredComments)
      .set({ folder: null })
      .where(and(eq(starredComments.workspaceId, workspaceId), eq(starredComments.folder, name)))
    const live: LiveChange[] = [
      await recordChange(tx, deps.bus, workspaceId, starredFolderRemoved, { name, by: principal.login }),
    ]
    return { result: undefined, live }
  })
}
