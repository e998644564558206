import type { ReviewRequest } from '@bosun/contracts/aica'
import type { Principal } from '@bosun/contracts/principal'
import type { ThreadStatus } from '@bosun/contracts/relay'
import type { Bus } from '@bosun/service-kit/bus'
import type { Tx } from '@bosun/service-kit/db'
import { AppError } from '@bosun/service-kit/errors'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { pump } from '../dispatch/scheduler'
import { assertManage, visibleThread } from '../threads/access'
import { afterMove } from '../threads/effects'
import { appendItem } from '../threads/items'
import type { ThreadRow } from '../threads/model'
import { moveStatus } from '../threads/status'
import { publish } from './publish'

/** Statuses from which a next turn may start on the same worktree and branch. */
export const RESUMABLE: readonly ThreadStatus[] = ['awaiting_review', 'published', 'merge_failed']
const APPROVABLE: readonly ThreadStatus[] = ['awaiting_review', 'merge_failed']

/** 409 naming the thread's status, so a client knows what it raced with. */
const notNow = (status: ThreadStatus, what: string) =>
  new AppError('conflict', `The thread is ${status}; ${what}`, { status })

type Moved = { row: ThreadRow; seq: number | undefined; to: ThreadStatus }

/** One move of a thread, re-read inside the write so concurrent decisions serialize: the first one wins. */
async function decide(
  deps: AicaDeps,
  id: string,
  fn: (tx: Tx<typeof schema>, row: ThreadRow) => Promise<Moved | undefined>,
) {
  const moved = await deps.database.write(async (tx) => {
    const [row] = await tx.select().from(schema.threads).where(eq(schema.threads.id, id))
    return row ? fn(tx, row) : undefined
  })
  if (moved) await afterMove(deps, moved.row, moved.seq, moved.to)
  return moved
}

/**
 * The sha256 of the backup a person approves (the one they reviewed when they name its head, else the latest);
 * publishing then pushes that backup or nothing.
 */
async function reviewedBackup(
  tx: Tx<typeof schema>,
  worktreeId: string,
  reviewedHeadSha: string | undefined,
) {
  const [backup] = await tx
    .select({ sha256: schema.backups.sha256, headSha: schema.backups.headSha })
    .from(schema.backups)
    .where(eq(schema.backups.worktreeId, worktreeId))
  if (!backup) throw new AppError('conflict', 'The worktree has no backup to publish')
  if (reviewedHeadSha && reviewedHeadSha !== backup.headSha)
    throw new AppError(
      'conflict',
      `The worktree changed since you reviewed it (its backup is now at ${backup.headSha.slice(0, 12)}); review it again`,
      { headSha: backup.headSha },
    )
  return backup.sha256
}

/**
 * Approve: the thread moves to `publishing` and the backup reviewed (recorded by its sha256) is published as a
 * pull request (`publish`).
 * Approving a thread that is already publishing or published changes nothing (the same pull request).
 * Decline (awaiting review, or after a refused push): the thread ends `declined`, nothing is pushed.
 */
export async function reviewThread(deps: AicaDeps, principal: Principal, id: string, body: ReviewRequest) {
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  const moved = await decide(deps, id, async (tx, row) => {
    if (body.approved && (row.status === 'publishing' || row.status === 'published')) return undefined
    if (!APPROVABLE.includes(row.status))
      throw notNow(
        row.status,
        `only a thread awaiting review can be ${body.approved ? 'approved' : 'declined'}`,
      )
    const reviewed = body.approved
      ? await reviewedBackup(tx, row.worktreeId, body.reviewedHeadSha)
      : undefined
    if (body.comment)
      await appendItem(tx, id, { kind: 'user_message', text: body.comment, by: principal.login })
    const to = body.approved ? 'publishing' : 'declined'
    const extra = reviewed
      ? {
          approvedBy: principal.login,
          approvedAt: Date.now(),
          approvedDraft: body.draft === true,
          approvedBackup: reviewed,
        }
      : {}
    return { row, to, seq: await moveStatus(deps.bus, tx, row, to, undefined, extra) }
  })
  if (moved?.to === 'publishing') void publish(deps, id)
}

/**
 * The next turn of a reviewed thread in its own transaction: back to `queued` (a new attempt, so a new work
 * message) with `text` as its prompt and a person's message item; the runner restores the worktree's backup.
 */
export async function queueTurn(
  bus: Pick<Bus, 'subjects' | 'source'>,
  tx: Tx<typeof schema>,
  row: ThreadRow,
  text: string,
  by: string,
) {
  const seq = await moveStatus(bus, tx, row, 'queued', undefined, {
    attempt: row.attempt + 1,
    nextPrompt: text,
    nextPromptBy: by,
    hasExtraEnv: false,
  })
  await appendItem(tx, row.id, { kind: 'user_message', text, by })
  return seq
}

/** Request changes: the comment becomes the next turn on the same worktree and branch. */
export async function requestChanges(deps: AicaDeps, principal: Principal, id: string, comment: string) {
  const { thread, worktree } = await visibleThread(deps, principal, id)
  assertManage(principal, worktree, thread)
  if (worktree.archivedAt !== null) throw new AppError('conflict', 'The worktree is archived')
  await decide(deps, id, async (tx, row) => {
    if (!RESUMABLE.includes(row.status))
      throw notNow(row.status, 'changes can be requested once a turn awaits review or was published')
    return { row, to: 'queued', seq: await queueTurn(deps.bus, tx, row, comment, principal.login) }
  })
  await pump(deps, thread.workspaceId)
}
