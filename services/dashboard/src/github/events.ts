import type { CacheInvalidation } from '@bosun/contracts/dashboard'
import type { GithubWebhook } from '@bosun/contracts/github'

/** The head commit a check or status event is about (check runs name a commit, not a pull request). */
const shaOf = (payload: unknown): string | undefined => {
  const p = payload as {
    sha?: unknown
    check_run?: { head_sha?: unknown }
    check_suite?: { head_sha?: unknown }
    workflow_run?: { head_sha?: unknown }
    workflow_job?: { head_sha?: unknown }
  } | null
  const sha =
    p?.sha ??
    p?.check_run?.head_sha ??
    p?.check_suite?.head_sha ??
    p?.workflow_run?.head_sha ??
    p?.workflow_job?.head_sha
  return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined
}

const numberOf = (payload: unknown): number | undefined => {
  const p = payload as { pull_request?: { number?: unknown }; issue?: { number?: unknown } } | null
  const n = p?.pull_request?.number ?? p?.issue?.number
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined
}

/**
 * Which cached reads a webhook makes stale. Precise where GitHub tells us what changed (a check run only stales
 * checks); anything unknown stales the whole repository, which costs only 304s.
 */
export function invalidationsFor(e: GithubWebhook): CacheInvalidation[] {
  const repo = e.repository
  if (!repo) return []
  const number = numberOf(e.payload)
  const one = (scope: CacheInvalidation['scope'], n?: number): CacheInvalidation =>
    n === undefined ? { repo, scope } : { repo, scope, number: n }
  const sha = shaOf(e.payload)
  switch (e.event) {
    case 'check_run':
    case 'check_suite':
    case 'status':
    case 'workflow_run':
    case 'workflow_job':
      return [sha ? { repo, scope: 'checks', sha } : one('checks')]
    // A pull request's head moves with its own `synchronize`; a push elsewhere changes no pull request.
    case 'push':
    case 'create':
    case 'delete':
      return []
    case 'pull_request':
      // Opened, closed, edited, synchronized: that one pull request is read again (or added, or dropped).
      return [one('issues'), one('pulls', number)]
    case 'pull_request_review':
      return [one('reviews', number), one('threads', number)]
    case 'pull_request_review_comment':
    case 'pull_request_review_thread':
      return [one('threads', number)]
    case 'issues':
    case 'issue_comment':
      return [one('issues')]
    case 'label':
    case 'milestone':
      return [one('issues'), one('pulls')]
    case 'ping':
    case 'deployment':
    case 'deployment_status':
    case 'star':
    case 'watch':
    case 'fork':
      return []
    default:
      return [one('repo')]
  }
}
