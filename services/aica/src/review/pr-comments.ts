import { autoDispatchOutcome } from '@bosun/contracts/aica'
import type { Envelope } from '@bosun/contracts/envelope'
import { type GithubWebhook, githubWebhook } from '@bosun/contracts/github'
import type { Snapshot } from '@bosun/contracts/workspace'
import { consumeEvents, type EventConsumer } from '@bosun/service-kit/consumer'
import type { Tx } from '@bosun/service-kit/db'
import { errorFields } from '@bosun/service-kit/log'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import { and, desc, eq, sql } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { pump } from '../dispatch/scheduler'
import { queueTurn, RESUMABLE } from './service'

/** A comment's request becomes a prompt; past this it is cut, saying so. */
const PROMPT_MAX = 20_000

type PrComment = { kind: string; id: number; number: number; body: string; sender: string | undefined }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** The comment of an `issue_comment` on a pull request or a `pull_request_review_comment`, checked; else why not. */
export function readPrComment(event: string, payload: unknown): PrComment | string {
  if (!isObject(payload) || !isObject(payload.comment)) return 'malformed payload: no comment'
  const { id, body } = payload.comment
  const target = event === 'issue_comment' ? payload.issue : payload.pull_request
  if (!isObject(target)) return 'malformed payload: no pull request'
  if (event === 'issue_comment' && !isObject(target.pull_request))
    return 'the comment is on an issue, not a pull request'
  const { number } = target
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return 'malformed payload: the comment has no id'
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
    return 'malformed payload: the pull request number is not a positive integer'
  if (typeof body !== 'string') return 'malformed payload: the comment has no text'
  const sender =
    isObject(payload.sender) && typeof payload.sender.login === 'string' ? payload.sender.login : undefined
  return { kind: event, id, number, body, sender }
}

/** The request after the trigger word (`/bosun fix the typo` -> `fix the typo`), or undefined without it. */
export function triggered(body: string, trigger: string) {
  const text = body.trimStart()
  if (!text.startsWith(trigger)) return undefined
  const rest = text.slice(trigger.length)
  if (rest !== '' && !/^\s/.test(rest)) return undefined
  return rest.trim()
}

function refusal(sender: string | undefined, snap: Snapshot | undefined, trusted: boolean) {
  if (!sender) return 'the payload names no sender'
  if (!snap) return 'the workspace could not be read to check the sender'
  const login = sender.toLowerCase()
  if (snap.members.some((m) => m.login.toLowerCase() === login)) return undefined
  if (trusted && snap.authorRecords.some((r) => r.login.toLowerCase() === login && r.status === 'trusted'))
    return undefined
  return trusted
    ? `${sender} is neither a member of the workspace nor an author recorded trusted`
    : `${sender} is not a member of the workspace`
}

/**
 * PR comments reach the session: a comment starting with the trigger word on a pull request Bosun opened, from a
 * member (or a trusted author when so configured), queues the thread's next turn with the comment as its prompt.
 * Exactly one turn per comment: the comment is recorded in the same transaction as the turn, so a redelivery
 * (a new event for the same comment) or a crash before the ack adds nothing. Every refusal is an outcome the
 * delivery log shows.
 */
export async function startPrComments(deps: AicaDeps): Promise<EventConsumer[]> {
  const handler = async (tx: Tx<typeof schema>, event: Envelope<GithubWebhook>) => {
    const { repository, deliveryId } = event.data
    const outcome = async (workspaceId: string | null, reason: string, threadId: string | null = null) => {
      await enqueueEvent(tx, deps.bus, autoDispatchOutcome, { deliveryId, workspaceId, threadId, reason })
    }
    const comment = readPrComment(event.data.event, event.data.payload)
    // Every comment on every pull request arrives here; only those addressed to Bosun get an outcome.
    if (typeof comment === 'string' || !repository) return
    const request = triggered(comment.body, deps.env.BOSUN_AICA_PR_TRIGGER)
    if (request === undefined) return
    const [row] = await tx
      .select({ thread: schema.threads, visibility: schema.worktrees.visibility })
      .from(schema.threads)
      .innerJoin(schema.worktrees, eq(schema.worktrees.id, schema.threads.worktreeId))
      .where(
        and(
          eq(schema.threads.prNumber, comment.number),
          sql`lower(${schema.worktrees.repo}) = ${repository.toLowerCase()}`,
        ),
      )
      .orderBy(desc(schema.threads.updatedAt))
      .limit(1)
    if (!row) return outcome(null, `${repository}#${comment.number} is not a pull request Bosun opened`)
    const thread = row.thread
    const commentKey = `${repository.toLowerCase()}:${comment.kind}:${comment.id}`
    const [seen] = await tx
      .select({ threadId: schema.prCommentRuns.threadId })
      .from(schema.prCommentRuns)
      .where(eq(schema.prCommentRuns.commentKey, commentKey))
    if (seen) return outcome(thread.workspaceId, 'this comment already started a turn', seen.threadId)
    const snap = await deps.access.snapshot(thread.workspaceId).catch(() => undefined)
    const refused = refusal(comment.sender, snap, deps.env.BOSUN_AICA_PR_TRIGGER_TRUSTED)
    if (refused) return outcome(thread.workspaceId, refused)
    // A personal thread is its creator's: a teammate's comment does not spend their run.
    if (row.visibility === 'personal' && thread.userLogin.toLowerCase() !== comment.sender?.toLowerCase())
      return outcome(thread.workspaceId, `only ${thread.userLogin} may resume their personal thread`)
    if (!request)
      return outcome(thread.workspaceId, `the comment asks nothing after ${deps.env.BOSUN_AICA_PR_TRIGGER}`)
    if (!RESUMABLE.includes(thread.status))
      return outcome(
        thread.workspaceId,
        `the thread is ${thread.status}; comment again once its turn ended`,
        thread.id,
      )
    const prompt =
      request.length <= PROMPT_MAX
        ? request
        : `${request.slice(0, PROMPT_MAX)}\n[cut at ${PROMPT_MAX} characters]`
    await tx.insert(schema.prCommentRuns).values({ commentKey, threadId: thread.id, at: Date.now() })
    await queueTurn(
      deps.bus,
      tx,
      thread,
      `A comment on pull request #${comment.number} by ${comment.sender} asks:\n\n${prompt}`,
      comment.sender ?? 'github',
    )
    await outcome(thread.workspaceId, 'started', thread.id)
    // A write queued now runs in the batch after this one, i.e. after the turn commits.
    void deps.database
      .write(async () => {})
      .then(() => pump(deps, thread.workspaceId))
      .catch((err) => deps.logger.warn('pr comment pump failed', errorFields(err)))
  }
  const consumers: EventConsumer[] = []
  for (const event of ['issue_comment', 'pull_request_review_comment'])
    consumers.push(
      await consumeEvents({
        bus: deps.bus,
        database: deps.database,
        logger: deps.logger,
        durable: `aica-pr-comments-${event.replaceAll('_', '-')}`,
        def: githubWebhook,
        filter: `github.${event}.created`,
        deliverNew: true,
        handler,
      }),
    )
  return consumers
}
