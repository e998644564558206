import type { Principal } from '@bosun/contracts/principal'
import { AppError, conflict, invalid, notFound } from '@bosun/service-kit/errors'
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { assertManage, visibleThread } from '../threads/access'
import { APPLY_CLAIM } from '../threads/model'

const CLAIM = APPLY_CLAIM
/**
 * A claim older than this belongs to an instance that died between claiming and recording (the POST has
 * its own 10 s timeout), so it may be taken over instead of answering 409 for ever.
 */
const STALE_CLAIM_MS = 60_000

/**
 * Posts a draft-comment item to GitHub as the App (installation token of that repository) and records
 * the comment. Idempotent: the item is claimed in the database first, so two calls, on any instances,
 * post once; a later call returns the recorded comment.
 */
export async function applyDraft(deps: AicaDeps, principal: Principal, threadId: string, itemId: string) {
  const { thread, worktree } = await visibleThread(deps, principal, threadId)
  assertManage(principal, worktree, thread)
  const where = and(eq(schema.items.threadId, threadId), eq(schema.items.id, itemId))
  const [item] = await deps.database.db.select().from(schema.items).where(where)
  if (!item) throw notFound('Item')
  const body = JSON.parse(item.body) as { kind: string; repo?: string; issueNumber?: number; body?: string }
  if (body.kind !== 'draft_comment' || !body.repo || !body.issueNumber || !body.body)
    throw invalid('Only draft-comment items can be applied')
  // The draft's target comes from the agent's output, which a planted issue can steer; the App's token
  // reaches every repository it is installed on, so only the worktree's own repository is accepted.
  if (body.repo.toLowerCase() !== worktree.repo.toLowerCase())
    throw invalid(`This draft targets ${body.repo}; only comments on ${worktree.repo} can be applied here`)
  const done = (url: string, id: number, alreadyApplied: boolean) => ({
    itemId,
    commentUrl: url,
    commentId: id,
    alreadyApplied,
  })
  if (item.appliedUrl && item.appliedUrl !== CLAIM) return done(item.appliedUrl, item.appliedId ?? 0, true)

  const now = Date.now()
  const claimed = await deps.database.write((tx) =>
    tx
      .update(schema.items)
      .set({ appliedUrl: CLAIM, appliedId: now })
      .where(
        and(
          where,
          or(
            isNull(schema.items.appliedUrl),
            and(eq(schema.items.appliedUrl, CLAIM), lt(schema.items.appliedId, now - STALE_CLAIM_MS)),
          ),
        ),
      )
      .returning(),
  )
  if (claimed.length === 0) {
    const [current] = await deps.database.db.select().from(schema.items).where(where)
    if (current?.appliedUrl && current.appliedUrl !== CLAIM)
      return done(current.appliedUrl, current.appliedId ?? 0, true)
    throw conflict('This draft is being applied right now')
  }
  try {
    const { token } = await deps.github.installationToken(body.repo)
    const res = await fetch(
      `${deps.env.GITHUB_API_URL.replace(/\/+$/, '')}/repos/${body.repo}/issues/${body.issueNumber}/comments`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.github+json',
          'content-type': 'application/json',
          'user-agent': 'bosun-aica',
        },
        body: JSON.stringify({ body: body.body }),
        signal: AbortSignal.timeout(10_000),
      },
    )
    if (res.status !== 201)
      throw new AppError('unavailable', `GitHub refused the comment (HTTP ${res.status})`)
    const comment = (await res.json()) as { id: number; html_url: string }
    await deps.database.write((tx) =>
      tx.update(schema.items).set({ appliedUrl: comment.html_url, appliedId: comment.id }).where(where),
    )
    return done(comment.html_url, comment.id, false)
  } catch (err) {
    await deps.database.write((tx) =>
      tx.update(schema.items).set({ appliedUrl: null, appliedId: null }).where(where),
    )
    if (err instanceof AppError) throw err
    throw new AppError('unavailable', 'GitHub could not be reached')
  }
}
