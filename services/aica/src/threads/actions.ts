import type { ExtraEnv, Visibility } from '@bosun/contracts/aica'
import type { Principal } from '@bosun/contracts/principal'
import { RELAY_PROTOCOL_VERSION, type ThreadStatus } from '@bosun/contracts/relay'
import { conflict, notFound } from '@bosun/service-kit/errors'
import { and, eq, notInArray } from 'drizzle-orm'
import { bundleDigest } from '../bundle/digest'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { assertExtraEnv } from '../dispatch/extra-env'
import { pump } from '../dispatch/scheduler'
import { revokeRelayTokens } from '../relay/tokens'
import { queueTurn } from '../review/service'
import { assertManage, visibleThread, visibleWorktree } from './access'
import { actorOf, insertThread, insertWorktree, started, type ThreadInput } from './create'
import { afterMove } from './effects'
import { appendItem, newId } from './items'
import { policyOf, type ThreadRow } from './model'
import { moveStatus } from './status'

const v = RELAY_PROTOCOL_VERSION

/** Moves one thread (re-read inside the write so concurrent moves serialize), then runs the effects. */
export async function move(
  deps: AicaDeps,
  threadId: string,
  to: ThreadStatus,
  error?: { code: string; message: string },
  extra: Partial<ThreadRow> = {},
) {
  const result = await deps.database.write(async (tx) => {
    const [row] = await tx.select().from(schema.threads).where(eq(schema.threads.id, threadId))
    if (!row) return undefined
    const from = row.status
    const seq = await moveStatus(deps.bus, tx, row, to, error, extra)
    return { row, from, seq }
  })
  if (result) await afterMove(deps, result.row, result.seq, to)
  return result
}

export async function stopThread(deps: AicaDeps, principal: Principal, id: string) {
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  const moved = await move(deps, id, 'stopped')
  if (moved?.seq === undefined) throw conflict(`A ${moved?.from ?? thread.status} thread cannot be stopped`)
  if (moved.from !== 'queued')
    await deps.relays.deliver(worktree.id, {
      v,
      type: 'stop',
      threadId: id,
      reason: `stopped by ${principal.login}`,
    })
}

export async function retryThread(deps: AicaDeps, principal: Principal, id: string, extraEnv?: ExtraEnv) {
  assertExtraEnv(extraEnv)
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  if (worktree.archivedAt !== null) throw conflict('The worktree is archived')
  const hasExtraEnv = extraEnv !== undefined && Object.keys(extraEnv).length > 0
  const moved = await move(deps, id, 'queued', undefined, { attempt: thread.attempt + 1, hasExtraEnv })
  if (moved?.seq === undefined)
    throw conflict(`Only failed or stopped threads can be retried (this one is ${thread.status})`)
  if (hasExtraEnv && extraEnv) deps.extraEnv.put(id, extraEnv)
  await pump(deps, thread.workspaceId)
}

export async function archiveThread(deps: AicaDeps, principal: Principal, id: string) {
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  const moved = await move(deps, id, 'archived')
  if (moved?.seq === undefined) throw conflict('The thread is already archived')
  await deps.relays.deliver(worktree.id, { v, type: 'stop', threadId: id, reason: 'archived' })
}

export async function archiveWorktree(deps: AicaDeps, principal: Principal, wtId: string) {
  const wt = await visibleWorktree(deps, principal, wtId)
  assertManage(principal, wt)
  if (wt.archivedAt !== null) throw conflict('The worktree is already archived')
  const moved = await deps.database.write(async (tx) => {
    await tx.update(schema.worktrees).set({ archivedAt: Date.now() }).where(eq(schema.worktrees.id, wtId))
    await revokeRelayTokens(tx, wtId)
    const live = await tx
      .select()
      .from(schema.threads)
      .where(and(eq(schema.threads.worktreeId, wtId), notInArray(schema.threads.status, ['archived'])))
    const out: Array<{ row: ThreadRow; seq: number | undefined }> = []
    for (const row of live) out.push({ row, seq: await moveStatus(deps.bus, tx, row, 'archived') })
    return out
  })
  for (const m of moved) {
    await afterMove(deps, m.row, m.seq, 'archived')
    await deps.relays.deliver(wtId, { v, type: 'stop', threadId: m.row.id, reason: 'archived' })
  }
}

export async function setVisibility(
  deps: AicaDeps,
  principal: Principal,
  wtId: string,
  visibility: Visibility,
) {
  const wt = await visibleWorktree(deps, principal, wtId)
  assertManage(principal, wt)
  await deps.database.write((tx) =>
    tx.update(schema.worktrees).set({ visibility }).where(eq(schema.worktrees.id, wtId)),
  )
}

/** A user prompt into a live thread; 409 when no runner holds it (nothing is stored then). */
export async function promptThread(deps: AicaDeps, principal: Principal, id: string, text: string) {
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  if (thread.status !== 'idle' && thread.status !== 'running')
    throw conflict(`The thread is ${thread.status}; prompts go to running or idle threads`)
  const promptId = newId('prm')
  const delivered = await deps.relays.deliver(worktree.id, {
    v,
    type: 'prompt',
    threadId: id,
    promptId,
    text,
    by: principal.login,
  })
  if (!delivered) {
    if (thread.status === 'idle') return queueIdlePrompt(deps, principal, id, text)
    throw conflict('No runner is attached to this thread right now; try again shortly')
  }
  const seq = await deps.database.write(async (tx) => {
    const { item } = await appendItem(tx, id, { kind: 'user_message', text, by: principal.login }, promptId)
    return item.seq
  })
  deps.hub.publishItem(id, seq)
  if (thread.status === 'idle') await move(deps, id, 'running')
}

/**
 * An idle thread no runner holds (a runner evicted it to free a slot for waiting work, after backing its
 * worktree up): the prompt becomes its next turn as new work, like a request for changes, and that runner
 * restores the worktree from the backup.
 */
async function queueIdlePrompt(deps: AicaDeps, principal: Principal, id: string, text: string) {
  const moved = await deps.database.write(async (tx) => {
    const [row] = await tx.select().from(schema.threads).where(eq(schema.threads.id, id))
    if (row?.status !== 'idle') return undefined
    return { row, seq: await queueTurn(deps.bus, tx, row, text, principal.login) }
  })
  if (moved?.seq === undefined)
    throw conflict('No runner is attached to this thread right now; try again shortly')
  await afterMove(deps, moved.row, moved.seq, 'queued')
  await pump(deps, moved.row.workspaceId)
}

/** A new thread in the same worktree holding the source's items up to `itemId`, queued to run. */
export async function forkThread(
  deps: AicaDeps,
  principal: Principal,
  id: string,
  body: { itemId: string; prompt?: string; extraEnv?: ExtraEnv },
) {
  assertExtraEnv(body.extraEnv)
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  if (worktree.archivedAt !== null) throw conflict('The worktree is archived')
  const [item] = await deps.database.db
    .select({ seq: schema.items.seq })
    .from(schema.items)
    .where(and(eq(schema.items.threadId, id), eq(schema.items.id, body.itemId)))
  if (!item) throw notFound('Item')
  const forkOf = { threadId: id, atSeq: item.seq }
  const input: ThreadInput = {
    prompt: body.prompt ?? thread.prompt,
    agent: thread.agent,
    model: thread.model,
    provider: thread.provider,
    priority: thread.priority,
    extraEnv: body.extraEnv,
    forkOf,
    permissions: policyOf(thread),
  }
  const digest = await bundleDigest(deps.database.db, worktree.workspaceId)
  const created = await deps.database.write((tx) =>
    insertThread(deps, tx, worktree, actorOf(principal), input, digest, forkOf),
  )
  await started(deps, created, body.extraEnv)
  return created.id
}

/** A new worktree restored from this one's latest backup, with a first thread. */
export async function cloneWorktree(
  deps: AicaDeps,
  principal: Principal,
  wtId: string,
  body: ThreadInput & { visibility?: Visibility },
) {
  assertExtraEnv(body.extraEnv)
  const wt = await visibleWorktree(deps, principal, wtId)
  const [backup] = await deps.database.db
    .select({ ref: schema.backups.ref })
    .from(schema.backups)
    .where(eq(schema.backups.worktreeId, wtId))
  if (!backup) throw conflict('This worktree has no backup yet')
  const digest = await bundleDigest(deps.database.db, wt.workspaceId)
  const actor = actorOf(principal)
  const { clone, thread } = await deps.database.write(async (tx) => {
    const clone = await insertWorktree(
      tx,
      {
        workspaceId: wt.workspaceId,
        repo: wt.repo,
        ref: backup.ref,
        visibility: body.visibility ?? 'personal',
        restoredFrom: wt.id,
      },
      actor,
    )
    return { clone, thread: await insertThread(deps, tx, clone, actor, body, digest) }
  })
  await started(deps, thread, body.extraEnv)
  return { worktreeId: clone.id, threadId: thread.id }
}
