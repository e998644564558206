import {
  type AicaMessage,
  RELAY_BACKUP_MAX_BYTES,
  RELAY_PROTOCOL_VERSION,
  REVIEW_STATUSES,
  type RunnerMessage,
  RunnerMessage as RunnerMessageSchema,
  type ThreadStatus,
} from '@bosun/contracts/relay'
import { assertValid } from '@bosun/service-kit/validate'
import { and, eq, inArray, isNotNull, notInArray } from 'drizzle-orm'
import { announceSummaries } from '../changes/notify'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { ledgerFor, markApplied, recordAsk } from '../permissions/ledger'
import { move } from '../threads/actions'
import { appendItem } from '../threads/items'
import { ENDED } from '../threads/status'
import { recordUsage } from '../usage/record'
import { mintRelayToken } from './tokens'

const v = RELAY_PROTOCOL_VERSION
/** Statuses in which a runner's question is refused. */
const ASK_REFUSED: readonly ThreadStatus[] = [...ENDED, ...REVIEW_STATUSES, 'archived']

/** What one relay socket may touch: a worktree, and one thread of it for thread-scoped sockets. */
export type RelayScope = { worktreeId: string; threadId: string | null }

export class RelayRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

async function threadsInScope(deps: AicaDeps, scope: RelayScope) {
  return deps.database.db
    .select()
    .from(schema.threads)
    .where(
      scope.threadId
        ? and(eq(schema.threads.id, scope.threadId), eq(schema.threads.worktreeId, scope.worktreeId))
        : eq(schema.threads.worktreeId, scope.worktreeId),
    )
}

async function ownThread(deps: AicaDeps, scope: RelayScope, threadId: string) {
  if (scope.threadId !== null && scope.threadId !== threadId)
    throw new RelayRefusal('not_found', 'This socket is scoped to another thread')
  const [row] = await deps.database.db
    .select()
    .from(schema.threads)
    .where(and(eq(schema.threads.id, threadId), eq(schema.threads.worktreeId, scope.worktreeId)))
  if (!row) throw new RelayRefusal('not_found', 'No such thread in this worktree')
  return row
}

export async function welcome(deps: AicaDeps, scope: RelayScope): Promise<AicaMessage> {
  const threads = await threadsInScope(deps, scope)
  const keys = threads.length
    ? await deps.database.db
        .select({ threadId: schema.items.threadId, key: schema.items.key })
        .from(schema.items)
        .where(
          and(
            inArray(
              schema.items.threadId,
              threads.map((t) => t.id),
            ),
            isNotNull(schema.items.key),
          ),
        )
    : []
  const { pending } = await ledgerFor(
    deps,
    threads.map((t) => t.id),
  )
  return {
    v,
    type: 'welcome',
    worktreeId: scope.worktreeId,
    threads: threads.map((t) => ({
      threadId: t.id,
      status: t.status,
      lastSeq: t.lastSeq,
      keys: keys.filter((k) => k.threadId === t.id).map((k) => k.key!),
      pending: pending
        .filter((p) => p.threadId === t.id)
        .map((p) => ({ requestId: p.requestId, ask: JSON.parse(p.ask) })),
    })),
  }
}

/** After the welcome: the answers given while no runner held the thread (or before it confirmed them). */
export async function unappliedAnswers(deps: AicaDeps, scope: RelayScope): Promise<AicaMessage[]> {
  const threads = await threadsInScope(deps, scope)
  return (
    await ledgerFor(
      deps,
      threads.map((t) => t.id),
    )
  ).unapplied
}

/** A fresh token for an open socket; none once the worktree is archived (archiving revoked the others). */
export async function renewToken(deps: AicaDeps, scope: RelayScope): Promise<AicaMessage> {
  const ttl = deps.env.BOSUN_AICA_RELAY_TOKEN_TTL_S
  const { token, expiresAt } = await deps.database.write(async (tx) => {
    const [wt] = await tx
      .select({ archivedAt: schema.worktrees.archivedAt })
      .from(schema.worktrees)
      .where(eq(schema.worktrees.id, scope.worktreeId))
    if (!wt || wt.archivedAt !== null) throw new RelayRefusal('conflict', 'The worktree is archived')
    return mintRelayToken(tx, scope.worktreeId, ttl)
  })
  return { v, type: 'token', relayToken: token, expiresAt }
}

/** Applies one runner frame; answers with frames for the same socket. Throws RelayRefusal for bad frames. */
export async function handleFrame(deps: AicaDeps, scope: RelayScope, raw: unknown): Promise<AicaMessage[]> {
  let frame: RunnerMessage
  try {
    frame = assertValid(RunnerMessageSchema, raw, 'relay frame')
  } catch {
    throw new RelayRefusal('invalid_request', 'The frame does not match the relay protocol v1')
  }
  switch (frame.type) {
    case 'ping':
      return [{ v, type: 'pong' }]
    case 'hello':
      // The socket already got its welcome on open; answering again would make the runner resend.
      return []
    case 'delta':
      await ownThread(deps, scope, frame.threadId)
      deps.hub.publishDelta(frame.threadId, frame.key, frame.text)
      return []
    case 'item': {
      const thread = await ownThread(deps, scope, frame.threadId)
      if (frame.body.kind === 'status')
        throw new RelayRefusal('invalid_request', 'Send status changes as `status` frames')
      if (thread.status === 'archived') throw new RelayRefusal('conflict', 'The thread is archived')
      const body = frame.body
      const { item, duplicate } = await deps.database.write(async (tx) => {
        const stored = await appendItem(tx, thread.id, body, frame.key)
        if (!stored.duplicate && body.kind === 'usage') await recordUsage(tx, thread.id, stored.item.id, body)
        return stored
      })
      if (!duplicate) deps.hub.publishItem(thread.id, item.seq)
      if (!duplicate && body.kind === 'usage')
        announceSummaries(deps, [
          { threadId: thread.id, worktreeId: thread.worktreeId, workspaceId: thread.workspaceId },
        ])
      return [{ v, type: 'ack', threadId: thread.id, key: frame.key, seq: item.seq }]
    }
    case 'status': {
      const thread = await ownThread(deps, scope, frame.threadId)
      // A runner completes a thread only when its last turn changed nothing (changes stop at awaiting_review).
      const extra = frame.status === 'completed' ? { result: 'no_changes' as const } : {}
      if (thread.status !== frame.status) await move(deps, thread.id, frame.status, frame.error, extra)
      return []
    }
    case 'session': {
      await ownThread(deps, scope, frame.threadId)
      await deps.database.write((tx) =>
        tx
          .update(schema.threads)
          .set({ sessionId: frame.sessionId })
          .where(eq(schema.threads.id, frame.threadId)),
      )
      return []
    }
    case 'ask': {
      const thread = await ownThread(deps, scope, frame.threadId)
      // A thread that ended or waits on a review has no runner to answer: the question would wait forever.
      if (ASK_REFUSED.includes(thread.status))
        throw new RelayRefusal('conflict', `The thread is ${thread.status}`)
      await recordAsk(deps, thread.id, frame.requestId, frame.ask)
      return []
    }
    case 'applied':
      await ownThread(deps, scope, frame.threadId)
      await markApplied(deps, frame.threadId, frame.requestId)
      return []
    case 'sandbox':
      return sandbox(deps, scope, frame)
    case 'backup':
      return backup(deps, scope, frame)
    case 'changes':
      return changes(deps, scope, frame)
  }
}

async function sandbox(
  deps: AicaDeps,
  scope: RelayScope,
  frame: Extract<RunnerMessage, { type: 'sandbox' }>,
) {
  if (frame.worktreeId !== scope.worktreeId) throw new RelayRefusal('not_found', 'Another worktree')
  const seqs = await deps.database.write(async (tx) => {
    await tx
      .update(schema.worktrees)
      .set({ sandboxBackend: frame.backend, sandboxNote: frame.note ?? null })
      .where(eq(schema.worktrees.id, scope.worktreeId))
    const live = await tx
      .select({ id: schema.threads.id })
      .from(schema.threads)
      .where(
        and(
          eq(schema.threads.worktreeId, scope.worktreeId),
          notInArray(schema.threads.status, [
            'completed',
            'failed',
            'stopped',
            'archived',
            ...REVIEW_STATUSES,
          ]),
          scope.threadId ? eq(schema.threads.id, scope.threadId) : undefined,
        ),
      )
    const out: Array<[string, number]> = []
    for (const t of live) {
      const body = {
        kind: 'sandbox' as const,
        backend: frame.backend,
        ...(frame.note ? { note: frame.note } : {}),
      }
      const { item, duplicate } = await appendItem(tx, t.id, body, `sandbox:${frame.backend}`)
      if (!duplicate) out.push([t.id, item.seq])
    }
    return out
  })
  for (const [id, seq] of seqs) deps.hub.publishItem(id, seq)
  return []
}

async function backup(deps: AicaDeps, scope: RelayScope, frame: Extract<RunnerMessage, { type: 'backup' }>) {
  if (frame.worktreeId !== scope.worktreeId) throw new RelayRefusal('not_found', 'Another worktree')
  const bytes = Buffer.from(frame.bundle, 'base64')
  if (bytes.length > RELAY_BACKUP_MAX_BYTES)
    throw new RelayRefusal('payload_too_large', `Backups are capped at ${RELAY_BACKUP_MAX_BYTES} bytes`)
  const digest = new Bun.CryptoHasher('sha256').update(bytes).digest('hex')
  if (digest !== frame.sha256)
    throw new RelayRefusal('invalid_request', 'The backup does not match its sha256')
  const row = {
    worktreeId: scope.worktreeId,
    ref: frame.ref,
    headSha: frame.headSha,
    baseSha: frame.baseSha ?? null,
    sha256: digest,
    bundle: frame.bundle,
    size: bytes.length,
    at: Date.now(),
  }
  await deps.database.write((tx) =>
    tx.insert(schema.backups).values(row).onConflictDoUpdate({ target: schema.backups.worktreeId, set: row }),
  )
  return []
}

/** The worktree's line counts; every thread of it shows them. */
async function changes(
  deps: AicaDeps,
  scope: RelayScope,
  frame: Extract<RunnerMessage, { type: 'changes' }>,
) {
  if (frame.worktreeId !== scope.worktreeId) throw new RelayRefusal('not_found', 'Another worktree')
  const { files, additions, deletions } = frame.counts
  const threads = await deps.database.write(async (tx) => {
    await tx
      .update(schema.worktrees)
      .set({ changesFiles: files, changesAdditions: additions, changesDeletions: deletions })
      .where(eq(schema.worktrees.id, scope.worktreeId))
    return tx
      .select({
        threadId: schema.threads.id,
        worktreeId: schema.threads.worktreeId,
        workspaceId: schema.threads.workspaceId,
      })
      .from(schema.threads)
      .where(eq(schema.threads.worktreeId, scope.worktreeId))
  })
  announceSummaries(deps, threads)
  return []
}
