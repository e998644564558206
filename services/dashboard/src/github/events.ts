import type { CacheInvalidation } from '@bosun/contracts/dashboard'
import type { GithubWebhook } from '@bosun/contracts/github'

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
  switch (e.event) {
    case 'check_run':
    case 'check_suite':
    case 'status':
    case 'workflow_run':
    case 'workflow_job':
      return [one('checks')]
    // A push moves heads (new shas mean new check URLs); threads and reviews follow `synchronize`.
    case 'push':
    case 'create':
    case 'delete':
      return [one('pulls')]
    case 'pull_request':
      return [
        one('pulls'),
        one('issues'),
        ...(number === undefined ? [] : [one('reviews', number), one('threads', number)]),
      ]
    case 'pull_request_review':
      return [one('pulls'), one('reviews', number), one('threads', number)]
    case 'pull_request_review_comment':
    case 'pull_request_review_thread':
      return [one('threads', number)]
    case 'issues':
    case 'label':
    case 'milestone':
      return [one('issues'), one('pulls')]
    case 'issue_comment':
      return [one('issues'), one('pulls'), ...(number === undefined ? [] : [one('threads', number)])]
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
