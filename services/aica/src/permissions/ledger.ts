import type { HumanRequest } from '@bosun/contracts/aica'
import type { HumanAsk, HumanReply } from '@bosun/contracts/permissions'
import type { Principal } from '@bosun/contracts/principal'
import {
  type AicaMessage,
  type ItemBody,
  RELAY_PROTOCOL_VERSION,
  type ThreadStatus,
} from '@bosun/contracts/relay'
import type { Tx } from '@bosun/service-kit/db'
import { conflict, invalid } from '@bosun/service-kit/errors'
import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { assertManage, visibleThread } from '../threads/access'
import { afterMove } from '../threads/effects'
import { appendItem } from '../threads/items'
import { policyOf, type ThreadRow } from '../threads/model'
import { moveStatus, WAITING } from '../threads/status'

type T = Tx<typeof schema>
type RequestRow = typeof schema.humanRequests.$inferSelect
const v = RELAY_PROTOCOL_VERSION

/** Who settled a request when no person did. */
export const AUTO_APPROVE = 'auto-approve'
export const BY_POLICY = 'policy'

const waitingFor = (kind: RequestRow['kind']): ThreadStatus =>
  kind === 'permission' ? 'waiting_permission' : 'waiting_answer'

/** What a committed ledger change must still do: items to fan out, a status move's effects, frames for the runner. */
type Outcome = {
  thread: ThreadRow
  seqs: number[]
  moved?: { seq: number | undefined; to: ThreadStatus }
  frames: AicaMessage[]
}

async function after(deps: AicaDeps, out: Outcome) {
  for (const seq of out.seqs) deps.hub.publishItem(out.thread.id, seq)
  if (out.moved) await afterMove(deps, out.thread, out.moved.seq, out.moved.to)
  for (const frame of out.frames) await deps.relays.deliver(out.thread.worktreeId, frame)
}

const askItem = (requestId: string, ask: HumanAsk): ItemBody =>
  ask.kind === 'permission'
    ? {
        kind: 'permission_request',
        requestId,
        tool: ask.permission,
        description: ask.description,
        patterns: ask.patterns,
      }
    : { kind: 'question', requestId, questions: ask.questions }

const replyItem = (requestId: string, reply: HumanReply, by: string): ItemBody => {
  if (reply.kind === 'permission')
    return {
      kind: 'permission_decision',
      requestId,
      decision: reply.decision,
      by,
      ...(reply.message ? { message: reply.message } : {}),
    }
  if (reply.kind === 'question') return { kind: 'question_answer', requestId, answers: reply.answers, by }
  return { kind: 'question_answer', requestId, answers: [], by, rejected: true }
}

/** An answer list of another length would settle the request and leave the agent without its answers: 400. */
function assertOnePerQuestion(row: RequestRow, given: number) {
  const ask = JSON.parse(row.ask) as HumanAsk
  const asked = ask.kind === 'question' ? ask.questions.length : 0
  if (given !== asked)
    throw invalid(`The request asks ${asked} question(s); give one answer per question (${given} given)`, [
      { in: 'body', path: '/answer', message: `expected ${asked} answers, got ${given}` },
    ])
}

/**
 * Settles one pending request in the caller's transaction: its reply, the decision item, and the thread's
 * status (back to `running`, or still waiting when another request is open). Throws 409 when it is not pending.
 */
async function settle(
  tx: T,
  deps: AicaDeps,
  thread: ThreadRow,
  requestId: string,
  reply: HumanReply,
  by: string,
) {
  const [row] = await tx
    .select()
    .from(schema.humanRequests)
    .where(and(eq(schema.humanRequests.threadId, thread.id), eq(schema.humanRequests.requestId, requestId)))
  if (
    !row ||
    row.state !== 'pending' ||
    row.kind !== (reply.kind === 'permission' ? 'permission' : 'question')
  )
    throw conflict(
      row
        ? `The request is ${row.state === 'pending' ? 'of another kind' : 'already answered'}`
        : 'No such request',
    )
  if (reply.kind === 'question') assertOnePerQuestion(row, reply.answers.length)
  const now = Date.now()
  await tx
    .update(schema.humanRequests)
    .set({ state: 'settled', reply: JSON.stringify(reply), settledBy: by, settledAt: now })
    .where(and(eq(schema.humanRequests.threadId, thread.id), eq(schema.humanRequests.requestId, requestId)))
  const { item } = await appendItem(
    tx,
    thread.id,
    replyItem(requestId, reply, by),
    `answer:${requestId}`,
    now,
  )
  const [next] = await tx
    .select({ kind: schema.humanRequests.kind })
    .from(schema.humanRequests)
    .where(and(eq(schema.humanRequests.threadId, thread.id), eq(schema.humanRequests.state, 'pending')))
    .orderBy(asc(schema.humanRequests.createdAt))
    .limit(1)
  const to = next ? waitingFor(next.kind) : 'running'
  const moved =
    WAITING.includes(thread.status) && thread.status !== to
      ? { seq: await moveStatus(deps.bus, tx, thread, to), to }
      : undefined
  const frame: AicaMessage = { v, type: 'answer', threadId: thread.id, requestId, reply }
  return { seq: item.seq, moved, frame }
}

async function threadRow(tx: T, id: string) {
  const [row] = await tx.select().from(schema.threads).where(eq(schema.threads.id, id))
  if (!row) throw conflict('The thread is gone')
  return row
}

/**
 * The runner's `ask`: recorded once (a repeated ask after a reconnect changes nothing), shown as an item, and
 * the thread waits; unless the thread's policy or auto-approve answers it at once, in the same commit.
 */
export async function recordAsk(deps: AicaDeps, threadId: string, requestId: string, ask: HumanAsk) {
  const out = await deps.database.write(async (tx): Promise<Outcome | undefined> => {
    const thread = await threadRow(tx, threadId)
    const inserted = await tx
      .insert(schema.humanRequests)
      .values({
        threadId,
        requestId,
        kind: ask.kind,
        ask: JSON.stringify(ask),
        state: 'pending',
        createdAt: Date.now(),
      })
      .onConflictDoNothing()
      .returning({ requestId: schema.humanRequests.requestId })
    if (!inserted.length) return rewait(tx, deps, thread, requestId)
    const { item } = await appendItem(tx, threadId, askItem(requestId, ask), `ask:${requestId}`)
    const automatic = automaticReply(thread, ask)
    if (automatic) {
      const settled = await settle(tx, deps, thread, requestId, automatic.reply, automatic.by)
      return { thread, seqs: [item.seq, settled.seq], frames: [settled.frame] }
    }
    const to = waitingFor(ask.kind)
    const seq = await moveStatus(deps.bus, tx, thread, to)
    return { thread, seqs: [item.seq], moved: { seq, to }, frames: [] }
  })
  if (out) await after(deps, out)
}

/**
 * The same ask again (a resumed runner's agent asked it anew): when it is still pending and the thread went
 * back to work meanwhile, the thread waits again.
 */
async function rewait(
  tx: T,
  deps: AicaDeps,
  thread: ThreadRow,
  requestId: string,
): Promise<Outcome | undefined> {
  const [row] = await tx
    .select({ state: schema.humanRequests.state, kind: schema.humanRequests.kind })
    .from(schema.humanRequests)
    .where(and(eq(schema.humanRequests.threadId, thread.id), eq(schema.humanRequests.requestId, requestId)))
  if (row?.state !== 'pending' || WAITING.includes(thread.status)) return undefined
  const to = waitingFor(row.kind)
  const seq = await moveStatus(deps.bus, tx, thread, to)
  return { thread, seqs: [], moved: { seq, to }, frames: [] }
}

/** Answers nobody needs to give: declined questions of an unattended policy, auto-approved `ask`s. */
function automaticReply(thread: ThreadRow, ask: HumanAsk): { reply: HumanReply; by: string } | undefined {
  if (ask.kind === 'question')
    return policyOf(thread).questions === 'deny'
      ? { reply: { kind: 'question_rejected' }, by: BY_POLICY }
      : undefined
  return thread.autoApprove
    ? { reply: { kind: 'permission', decision: 'once' }, by: AUTO_APPROVE }
    : undefined
}

/** A person's answer; only who may manage the thread (its owner, any writer for `aica:auto`). */
export async function answerRequest(
  deps: AicaDeps,
  principal: Principal,
  threadId: string,
  requestId: string,
  reply: HumanReply,
) {
  const { thread, worktree } = await visibleThread(deps, principal, threadId)
  assertManage(principal, worktree, thread)
  const out = await deps.database.write(async (tx): Promise<Outcome> => {
    const row = await threadRow(tx, threadId)
    const settled = await settle(tx, deps, row, requestId, reply, principal.login)
    return { thread: row, seqs: [settled.seq], moved: settled.moved, frames: [settled.frame] }
  })
  await after(deps, out)
}

/** Turns auto-approve on or off; turning it on grants what is waiting now, each grant logged as an item. */
export async function setAutoApprove(deps: AicaDeps, principal: Principal, threadId: string, on: boolean) {
  const { thread, worktree } = await visibleThread(deps, principal, threadId)
  assertManage(principal, worktree, thread)
  const outs = await deps.database.write(async (tx) => {
    await tx.update(schema.threads).set({ autoApprove: on }).where(eq(schema.threads.id, threadId))
    if (!on) return []
    const pending = await tx
      .select({ requestId: schema.humanRequests.requestId })
      .from(schema.humanRequests)
      .where(
        and(
          eq(schema.humanRequests.threadId, threadId),
          eq(schema.humanRequests.state, 'pending'),
          eq(schema.humanRequests.kind, 'permission'),
        ),
      )
      .orderBy(asc(schema.humanRequests.createdAt))
    const done: Outcome[] = []
    for (const p of pending) {
      const row = await threadRow(tx, threadId)
      const reply: HumanReply = { kind: 'permission', decision: 'once' }
      const settled = await settle(tx, deps, row, p.requestId, reply, AUTO_APPROVE)
      done.push({ thread: row, seqs: [settled.seq], moved: settled.moved, frames: [settled.frame] })
    }
    return done
  })
  for (const out of outs) await after(deps, out)
  return { threadId, autoApprove: on }
}

const toRequest = (row: RequestRow): HumanRequest => ({
  threadId: row.threadId,
  requestId: row.requestId,
  ask: JSON.parse(row.ask) as HumanAsk,
  state: row.state,
  createdAt: new Date(row.createdAt).toISOString(),
})

export async function pendingRequests(deps: AicaDeps, principal: Principal, threadId: string) {
  await visibleThread(deps, principal, threadId)
  const rows = await deps.database.db
    .select()
    .from(schema.humanRequests)
    .where(and(eq(schema.humanRequests.threadId, threadId), eq(schema.humanRequests.state, 'pending')))
    .orderBy(asc(schema.humanRequests.createdAt))
  return { results: rows.map(toRequest) }
}

/** The runner handed an answer to the agent. */
export async function markApplied(deps: AicaDeps, threadId: string, requestId: string) {
  await deps.database.write((tx) =>
    tx
      .update(schema.humanRequests)
      .set({ appliedAt: Date.now() })
      .where(and(eq(schema.humanRequests.threadId, threadId), eq(schema.humanRequests.requestId, requestId))),
  )
}

/** For a (re)connected runner: each thread's pending requests, and the answers it has not confirmed yet. */
export async function ledgerFor(deps: AicaDeps, threadIds: string[]) {
  if (!threadIds.length) return { pending: [] as RequestRow[], unapplied: [] as AicaMessage[] }
  const rows = await deps.database.db
    .select()
    .from(schema.humanRequests)
    .where(and(inArray(schema.humanRequests.threadId, threadIds), isNull(schema.humanRequests.appliedAt)))
    .orderBy(asc(schema.humanRequests.createdAt))
  return {
    pending: rows.filter((r) => r.state === 'pending'),
    unapplied: rows
      .filter((r) => r.state === 'settled' && r.reply)
      .map(
        (r): AicaMessage => ({
          v,
          type: 'answer',
          threadId: r.threadId,
          requestId: r.requestId,
          reply: JSON.parse(r.reply!) as HumanReply,
        }),
      ),
  }
}
