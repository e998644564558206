import { THREAD_ANSWER_MAX_CHARS, threadStatusChanged } from '@bosun/contracts/aica'
import type { ThreadError, ThreadStatus } from '@bosun/contracts/relay'
import type { Bus } from '@bosun/service-kit/bus'
import type { Tx } from '@bosun/service-kit/db'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import { and, desc, eq, inArray, ne } from 'drizzle-orm'
import * as schema from '../db/schema'
import { revokeRelayTokens } from '../relay/tokens'
import { appendItem } from './items'
import type { ThreadRow } from './model'

/** Statuses that wait on a person ("needs you"). */
export const WAITING: readonly ThreadStatus[] = ['waiting_permission', 'waiting_answer']

const allowed: Record<ThreadStatus, readonly ThreadStatus[]> = {
  queued: ['starting', 'failed', 'stopped', 'archived'],
  starting: ['running', 'idle', ...WAITING, 'completed', 'awaiting_review', 'failed', 'stopped', 'archived'],
  running: ['idle', ...WAITING, 'completed', 'awaiting_review', 'failed', 'stopped', 'archived'],
  // An idle thread no runner holds any more (evicted for waiting work) queues its next prompt as new work.
  idle: ['running', 'queued', 'completed', 'awaiting_review', 'failed', 'stopped', 'archived'],
  // An answer puts the thread back to work; a second request of the other kind switches the wait.
  waiting_permission: [
    'running',
    'waiting_answer',
    'idle',
    'completed',
    'awaiting_review',
    'failed',
    'stopped',
    'archived',
  ],
  waiting_answer: [
    'running',
    'waiting_permission',
    'idle',
    'completed',
    'awaiting_review',
    'failed',
    'stopped',
    'archived',
  ],
  completed: ['archived'],
  // Retry puts a failed or stopped thread back in the queue (spec 001/002).
  failed: ['queued', 'archived'],
  stopped: ['queued', 'archived'],
  archived: [],
  // Review (seed 003): approve publishes, decline ends, request changes (or a PR comment) queues the next turn.
  awaiting_review: ['publishing', 'declined', 'queued', 'archived'],
  publishing: ['published', 'merge_failed', 'archived'],
  published: ['queued', 'archived'],
  merge_failed: ['publishing', 'declined', 'queued', 'archived'],
  declined: ['archived'],
}

/** Statuses that hold a slot of the workspace's concurrency registry. */
export const ACTIVE: readonly ThreadStatus[] = ['starting', 'running', 'idle', ...WAITING]
export const ENDED: readonly ThreadStatus[] = ['completed', 'failed', 'stopped', 'declined']
/** Statuses that carry the error that caused them. */
const FAILING: readonly ThreadStatus[] = ['failed', 'merge_failed']
/** No runner holds the thread: its relay access ends (a later turn is a new dispatch with a new token). */
const RELEASED: readonly ThreadStatus[] = [...ENDED, 'awaiting_review']

export const canMove = (from: ThreadStatus, to: ThreadStatus) => allowed[from].includes(to)

/**
 * Moves a thread to `to` in the caller's transaction: the status, its timestamp, the error payload
 * (set on failure, cleared otherwise) and a `status` item. Returns the item's seq, or undefined when
 * the move is not allowed (a no-op, e.g. a late runner update after a stop).
 */
export async function moveStatus(
  bus: Publisher,
  tx: Tx<typeof schema>,
  thread: ThreadRow,
  to: ThreadStatus,
  error?: ThreadError,
  extra: Partial<ThreadRow> = {},
): Promise<number | undefined> {
  if (!canMove(thread.status, to)) return undefined
  const now = Date.now()
  const times = { ...JSON.parse(thread.statusTimes), [to]: new Date(now).toISOString() }
  await tx
    .update(schema.threads)
    .set({
      ...extra,
      status: to,
      statusTimes: JSON.stringify(times),
      error: FAILING.includes(to) && error ? JSON.stringify(error) : to === 'archived' ? thread.error : null,
      updatedAt: now,
    })
    .where(eq(schema.threads.id, thread.id))
  const body =
    error && FAILING.includes(to)
      ? { kind: 'status' as const, status: to, error }
      : { kind: 'status' as const, status: to }
  const { item } = await appendItem(tx, thread.id, body, undefined, now)
  thread.status = to
  if (RELEASED.includes(to) || to === 'archived') await cancelPending(tx, thread.id, now)
  if (RELEASED.includes(to)) await endRelayAccess(tx, thread)
  const answer =
    to === 'idle' || to === 'completed' || to === 'awaiting_review'
      ? await finalAnswer(tx, thread.id)
      : undefined
  await announceStatus(
    bus,
    tx,
    { ...thread, attempt: extra.attempt ?? thread.attempt },
    item.seq,
    error,
    answer,
  )
  return item.seq
}

/**
 * A relay token opens the worktree's socket and its NATS requests (extraEnv, bundle, backup); once no
 * thread of the worktree is queued or running, nothing may use one, so they end with the last thread
 * rather than at their expiry. A later dispatch mints its own.
 */
async function endRelayAccess(tx: Tx<typeof schema>, thread: ThreadRow) {
  const [other] = await tx
    .select({ id: schema.threads.id })
    .from(schema.threads)
    .where(
      and(
        eq(schema.threads.worktreeId, thread.worktreeId),
        ne(schema.threads.id, thread.id),
        inArray(schema.threads.status, ['queued', ...ACTIVE]),
      ),
    )
    .limit(1)
  if (!other) await revokeRelayTokens(tx, thread.worktreeId)
}

/** A thread that ended no longer waits on anyone: its open requests close unanswered. */
async function cancelPending(tx: Tx<typeof schema>, threadId: string, now: number) {
  await tx
    .update(schema.humanRequests)
    .set({ state: 'cancelled', settledAt: now })
    .where(and(eq(schema.humanRequests.threadId, threadId), eq(schema.humanRequests.state, 'pending')))
}

/** How far back a final answer is looked for. */
const ANSWER_SCAN = 200
/** Items that neither belong to nor end the final answer. */
const PASSED_OVER = new Set(['reasoning', 'usage', 'status', 'sandbox', 'draft_comment', 'publish'])

/**
 * The agent's final answer: its last run of `assistant_text` items after the last prompt, read back in the
 * move's transaction. Reasoning, usage and status items are passed over; anything else (a prompt, a tool call) ends it.
 * `reviewed`: the answer the person reviewed, for its pull request: a comment left with the approval (after the
 * last `awaiting_review`) is passed over too.
 */
export async function finalAnswer(
  tx: Pick<Tx<typeof schema>, 'select'>,
  threadId: string,
  opts: { reviewed?: boolean } = {},
): Promise<string | undefined> {
  const recent = await tx
    .select({ kind: schema.items.kind, body: schema.items.body })
    .from(schema.items)
    .where(eq(schema.items.threadId, threadId))
    .orderBy(desc(schema.items.seq))
    .limit(ANSWER_SCAN)
  // Until the last `awaiting_review` is passed, a person's message is the approval's comment, not a prompt.
  let commenting = opts.reviewed === true
  const texts: string[] = []
  for (const row of recent) {
    if (row.kind === 'assistant_text') texts.unshift((JSON.parse(row.body) as { text: string }).text)
    else if (commenting && row.kind === 'user_message') continue
    else if (!PASSED_OVER.has(row.kind)) break
    if (commenting && row.kind === 'status')
      commenting = (JSON.parse(row.body) as { status: string }).status !== 'awaiting_review'
  }
  const answer = texts.join('\n\n').trim()
  return answer ? answer.slice(0, THREAD_ANSWER_MAX_CHARS) : undefined
}

type Publisher = Pick<Bus, 'subjects' | 'source'>

/** The `aica.thread.status` event, in the transaction of the move (it leaves after the commit). */
export async function announceStatus(
  bus: Publisher,
  tx: Tx<typeof schema>,
  thread: Pick<ThreadRow, 'id' | 'worktreeId' | 'workspaceId' | 'userId' | 'status' | 'attempt'>,
  seq: number,
  error?: ThreadError,
  answer?: string,
) {
  await enqueueEvent(tx, bus, threadStatusChanged, {
    threadId: thread.id,
    worktreeId: thread.worktreeId,
    workspaceId: thread.workspaceId,
    userId: thread.userId,
    status: thread.status,
    attempt: thread.attempt,
    seq,
    ...(error && FAILING.includes(thread.status) ? { error } : {}),
    ...(answer ? { answer } : {}),
  })
}
