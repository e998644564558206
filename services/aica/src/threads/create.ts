import type { DispatchEnvelope, ExtraEnv, Visibility, WorktreeCreate } from '@bosun/contracts/aica'
import type { PermissionPolicy } from '@bosun/contracts/permissions'
import type { Principal } from '@bosun/contracts/principal'
import type { Priority } from '@bosun/contracts/relay'
import type { Tx } from '@bosun/service-kit/db'
import { conflict, invalid, notFound } from '@bosun/service-kit/errors'
import { checkUrl, OutboundRefused } from '@bosun/service-kit/safe-fetch'
import { eq } from 'drizzle-orm'
import { bundleDigest } from '../bundle/digest'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { assertExtraEnv } from '../dispatch/extra-env'
import { pump } from '../dispatch/scheduler'
import { threadPolicy } from '../permissions/defaults'
import { AUTO_USER } from './access'
import { appendItem, newId } from './items'
import type { ThreadRow, WorktreeRow } from './model'
import { announceStatus } from './status'

type T = Tx<typeof schema>
export type Actor = { userId: string; login: string }
export const actorOf = (p: Principal): Actor => ({ userId: p.userId, login: p.login })

export type ThreadInput = {
  prompt: string
  agent?: string
  model?: string
  provider?: string
  priority?: Priority
  extraEnv?: ExtraEnv
  callbackUrl?: string
  forkOf?: { threadId: string; atSeq: number }
  deliveryId?: string
  sourceIssue?: string
  usesSharedCreds?: boolean
  permissions?: PermissionPolicy
}

export const knownWorkspaceIds = (deps: AicaDeps) => async () =>
  (await deps.database.db.select({ id: schema.knownWorkspaces.id }).from(schema.knownWorkspaces)).map(
    (r) => r.id,
  )

export async function rememberWorkspace(deps: AicaDeps, id: string) {
  await deps.database.write((tx) =>
    tx.insert(schema.knownWorkspaces).values({ id, createdAt: Date.now() }).onConflictDoNothing(),
  )
}

/** The workspace a request acts in, and its repository and ref (defaults from the workspace snapshot). */
export async function resolveTarget(
  deps: AicaDeps,
  principal: Principal,
  given: { workspace?: string; repo?: string; ref?: string },
) {
  const workspaceId = await deps.access.resolve(principal, given.workspace, knownWorkspaceIds(deps))
  if (given.workspace) await rememberWorkspace(deps, workspaceId)
  return { workspaceId, ...(await resolveRepo(deps, workspaceId, given.repo, given.ref)) }
}

export async function resolveRepo(deps: AicaDeps, workspaceId: string, repo?: string, ref?: string) {
  const snap = await deps.access.snapshot(workspaceId)
  const chosen = repo
    ? snap.repositories.find((r) => r.fullName.toLowerCase() === repo.toLowerCase())
    : snap.repositories.find((r) => r.isDefaultForAgents)
  if (!chosen)
    throw invalid(
      repo
        ? `${repo} is not a repository of workspace ${workspaceId}`
        : `Workspace ${workspaceId} has no default repository for agents; name one with \`repo\``,
    )
  return { repo: chosen.fullName, ref: ref ?? chosen.defaultBranch }
}

export function checkThreadInput(input: ThreadInput) {
  assertExtraEnv(input.extraEnv)
  if (!input.callbackUrl) return
  try {
    checkUrl(input.callbackUrl)
  } catch (err) {
    if (err instanceof OutboundRefused)
      throw invalid(err.message, [{ in: 'body', path: '/callbackUrl', message: err.reason }])
    throw err
  }
}

export async function insertWorktree(
  tx: T,
  w: { workspaceId: string; repo: string; ref: string; visibility: Visibility; restoredFrom?: string },
  actor: Actor,
) {
  const row: WorktreeRow = {
    id: newId('wt'),
    workspaceId: w.workspaceId,
    repo: w.repo,
    ref: w.ref,
    visibility: w.visibility,
    creatorId: actor.userId,
    creatorLogin: actor.login,
    restoredFrom: w.restoredFrom ?? null,
    sandboxBackend: null,
    sandboxNote: null,
    changesFiles: null,
    changesAdditions: null,
    changesDeletions: null,
    createdAt: Date.now(),
    archivedAt: null,
  }
  await tx.insert(schema.worktrees).values(row)
  return row
}

/** A queued thread with its first items (`queued` status, the prompt), in the caller's transaction. */
export async function insertThread(
  deps: AicaDeps,
  tx: T,
  wt: WorktreeRow,
  actor: Actor,
  input: ThreadInput,
  digest: string,
  copyItemsFrom?: { threadId: string; atSeq: number },
) {
  const now = Date.now()
  const row: ThreadRow = {
    id: newId('thr'),
    worktreeId: wt.id,
    workspaceId: wt.workspaceId,
    userId: actor.userId,
    userLogin: actor.login,
    status: 'queued',
    statusTimes: JSON.stringify({ queued: new Date(now).toISOString() }),
    error: null,
    prompt: input.prompt,
    agent: input.agent ?? deps.env.BOSUN_AICA_DEFAULT_AGENT,
    model: input.model ?? deps.env.BOSUN_AICA_DEFAULT_MODEL,
    provider: input.provider ?? deps.env.BOSUN_AICA_DEFAULT_PROVIDER,
    priority: input.priority ?? 'normal',
    attempt: 1,
    bundleDigest: digest,
    hasExtraEnv: input.extraEnv !== undefined && Object.keys(input.extraEnv).length > 0,
    usesSharedCreds: input.usesSharedCreds ?? !input.extraEnv,
    lastSeq: 0,
    forkOfThread: input.forkOf?.threadId ?? null,
    forkAtSeq: input.forkOf?.atSeq ?? null,
    sessionId: null,
    deliveryId: input.deliveryId ?? null,
    sourceIssue: input.sourceIssue ?? null,
    callbackUrl: input.callbackUrl ?? null,
    callbackState: input.callbackUrl ? 'pending' : null,
    callbackAt: null,
    callbackError: null,
    usageInputTokens: 0,
    usageOutputTokens: 0,
    usageCacheReadTokens: 0,
    usageCacheWriteTokens: 0,
    usageCostUsd: 0,
    result: null,
    nextPrompt: null,
    nextPromptBy: null,
    approvedBy: null,
    approvedAt: null,
    approvedDraft: null,
    approvedBackup: null,
    publishedSha: null,
    prNumber: null,
    prUrl: null,
    permissions: JSON.stringify(await threadPolicy(tx, wt.workspaceId, actor.userId, input.permissions)),
    autoApprove: false,
    createdAt: now,
    updatedAt: now,
  }
  await tx.insert(schema.threads).values(row)
  if (copyItemsFrom) {
    const source = await tx
      .select()
      .from(schema.items)
      .where(eq(schema.items.threadId, copyItemsFrom.threadId))
    for (const item of source.filter((i) => i.seq <= copyItemsFrom.atSeq).sort((a, b) => a.seq - b.seq))
      await appendItem(tx, row.id, JSON.parse(item.body), undefined, now)
  }
  const queued = await appendItem(tx, row.id, { kind: 'status', status: 'queued' }, undefined, now)
  await announceStatus(deps.bus, tx, row, queued.item.seq)
  await appendItem(tx, row.id, { kind: 'user_message', text: input.prompt, by: actor.login }, undefined, now)
  return row
}

/** After the commit: hold extraEnv in memory, and let the scheduler start it if a slot is free. */
export async function started(deps: AicaDeps, thread: ThreadRow, extraEnv?: ExtraEnv) {
  if (thread.hasExtraEnv && extraEnv) deps.extraEnv.put(thread.id, extraEnv)
  await pump(deps, thread.workspaceId)
}

export async function dispatch(deps: AicaDeps, principal: Principal, env: DispatchEnvelope) {
  checkThreadInput(env)
  const target = await resolveTarget(deps, principal, env)
  const digest = await bundleDigest(deps.database.db, target.workspaceId)
  const actor = actorOf(principal)
  const { wt, thread } = await deps.database.write(async (tx) => {
    const wt = await insertWorktree(tx, { ...target, visibility: env.visibility ?? 'personal' }, actor)
    return { wt, thread: await insertThread(deps, tx, wt, actor, env, digest) }
  })
  await started(deps, thread, env.extraEnv)
  return { worktreeId: wt.id, threadId: thread.id }
}

export async function createWorktree(deps: AicaDeps, principal: Principal, body: WorktreeCreate) {
  const target = await resolveTarget(deps, principal, body)
  const wt = await deps.database.write((tx) =>
    insertWorktree(tx, { ...target, visibility: body.visibility ?? 'personal' }, actorOf(principal)),
  )
  return wt.id
}

export async function attachThread(
  deps: AicaDeps,
  principal: Principal,
  wt: WorktreeRow,
  input: ThreadInput,
) {
  checkThreadInput(input)
  if (wt.archivedAt !== null) throw conflict('The worktree is archived')
  const digest = await bundleDigest(deps.database.db, wt.workspaceId)
  const thread = await deps.database.write((tx) =>
    insertThread(deps, tx, wt, actorOf(principal), input, digest),
  )
  await started(deps, thread, input.extraEnv)
  return thread.id
}

/**
 * A dispatch another service asks for over NATS, for a user it authorized (who must be a member), or for its
 * own automatic work; `asAuto` runs the thread as `aica:auto`, a team thread.
 */
export async function dispatchForService(
  deps: AicaDeps,
  req: {
    workspaceId: string
    userId: string
    login: string
    prompt: string
    repo?: string
    ref?: string
    agent?: string
    model?: string
    provider?: string
    priority?: Priority
    visibility?: Visibility
    asAuto?: boolean
  },
) {
  const principal: Principal = {
    kind: 'user',
    userId: req.userId,
    login: req.login,
    role: 'member',
    scopes: [],
    credentialId: 'nats',
  }
  // A service's own automatic work (userId `aica:auto`) has no member behind it; the workspace must still exist.
  const automatic = req.asAuto === true && req.userId === AUTO_USER
  if (!automatic && !(await deps.access.canUse(principal, req.workspaceId))) throw notFound('Workspace')
  const target = await resolveRepo(deps, req.workspaceId, req.repo, req.ref)
  const digest = await bundleDigest(deps.database.db, req.workspaceId)
  const actor = req.asAuto ? { userId: AUTO_USER, login: AUTO_USER } : actorOf(principal)
  const visibility = req.visibility ?? (req.asAuto ? 'team' : 'personal')
  const { wt, thread } = await deps.database.write(async (tx) => {
    const wt = await insertWorktree(tx, { workspaceId: req.workspaceId, ...target, visibility }, actor)
    return { wt, thread: await insertThread(deps, tx, wt, actor, { ...req, usesSharedCreds: true }, digest) }
  })
  await started(deps, thread)
  return { threadId: thread.id, worktreeId: wt.id }
}
