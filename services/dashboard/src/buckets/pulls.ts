import type { NotReadyReason, PrBucket, PrItem, ReviewSummary } from '@bosun/contracts/dashboard'
import type { PullDetail } from '../github/repo-data'
import type { ReviewRow } from '../github/rows'
import type { ReviewThread } from '../github/types'
import { policiesFor, summarizeChecks } from './checks'
import { type Context, toAuthor } from './context'

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'])

/** Each reviewer's latest decisive review counts; a later approval or dismissal lifts a request for changes. */
export function summarizeReviews(
  reviews: readonly ReviewRow[],
  requested: readonly string[],
  threads: readonly ReviewThread[],
  lastCommitAt: string | null,
): ReviewSummary {
  const latest = new Map<string, string>()
  let commented = false
  for (const r of [...reviews].sort((a, b) => (a.submitted_at ?? '').localeCompare(b.submitted_at ?? ''))) {
    const who = r.login?.toLowerCase()
    if (!who) continue
    if (r.state === 'COMMENTED') commented = true
    if (DECISIVE.has(r.state)) latest.set(who, r.state)
  }
  const decisions = [...latest.values()]
  const approvals = decisions.filter((s) => s === 'APPROVED').length
  const changesRequested = decisions.filter((s) => s === 'CHANGES_REQUESTED').length
  const since = lastCommitAt ? Date.parse(lastCommitAt) : Number.NEGATIVE_INFINITY
  const unresolved = threads.filter((t) => !t.isResolved)
  return {
    state:
      changesRequested > 0
        ? 'changes_requested'
        : approvals > 0
          ? 'approved'
          : commented
            ? 'commented'
            : 'none',
    approvals,
    changesRequested,
    requestedReviewers: [...requested],
    unresolvedThreads: unresolved.length,
    // GitHub times are whole seconds: a comment in the commit's second came after it (it could not precede it).
    unresolvedAfterLastCommit: unresolved.filter((t) =>
      t.comments.nodes.some((c) => Date.parse(c.createdAt) >= since),
    ).length,
  }
}

export function toPrItem(d: PullDetail, ctx: Context): PrItem {
  const { pull } = d
  const draft = Boolean(pull.draft)
  const checks = summarizeChecks(d.checkRuns, d.statuses, policiesFor(ctx.policies, d.repo))
  const review = summarizeReviews(d.reviews, pull.requested_reviewers, d.threads, d.lastCommitAt)
  const notReady: NotReadyReason[] = []
  if (draft) notReady.push({ code: 'draft', message: 'Draft pull request' })
  for (const r of checks.required) {
    const where = `\`${r.pattern}\` (policy ${r.policy})`
    if (r.state === 'failed')
      notReady.push({
        code: 'check_failed',
        message: `Required check ${where} failed: ${r.matched.join(', ')}`,
      })
    if (r.state === 'pending')
      notReady.push({ code: 'check_pending', message: `Required check ${where} has not finished` })
    if (r.state === 'missing')
      notReady.push({ code: 'check_missing', message: `No check on the head commit matches ${where}` })
  }
  if (review.unresolvedAfterLastCommit > 0)
    notReady.push({
      code: 'unresolved_thread',
      message: `${review.unresolvedAfterLastCommit} unresolved review thread(s) commented after the last commit`,
    })
  return {
    repo: d.repo,
    number: pull.number,
    title: pull.title,
    url: pull.html_url,
    author: toAuthor(pull.user, ctx),
    labels: pull.labels,
    draft,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    createdAt: pull.created_at,
    updatedAt: pull.updated_at,
    lastCommitAt: d.lastCommitAt,
    checks,
    review,
    ready: notReady.length === 0,
    notReady,
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The rules of PR_BUCKETS in contracts, as predicates. `login` is the resolved login of the query. */
export const prBuckets: Record<PrBucket, (item: PrItem, login: string) => boolean> = {
  ready: (i) => i.ready,
  'needs-review': (i) => !i.draft && i.review.approvals === 0 && i.review.changesRequested === 0,
  'changes-requested': (i) => i.review.changesRequested > 0,
  'failing-checks': (i) => i.checks.failed > 0,
  'review-requested': (i, login) => i.review.requestedReviewers.some((r) => same(r, login)),
  mine: (i, login) => same(i.author.login, login),
  drafts: (i) => i.draft,
  unvetted: (i) =>
    !i.author.member &&
    (!i.author.record || i.author.record.status === 'suspected-slop' || i.author.record.status === 'unknown'),
}

/** Buckets where `login` says whose; in the others an explicit login narrows to that author. */
export const LOGIN_BUCKETS = new Set<string>(['review-requested', 'mine', 'assigned'])
