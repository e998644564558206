import type { GitHubClient } from './client'
import { GitHubMissing } from './errors'
import type { Reader } from './readers'
import type {
  GhCheckRun,
  GhCheckRuns,
  GhCombinedStatus,
  GhCommit,
  GhIssue,
  GhPull,
  GhReview,
  GhStatus,
  ReviewThread,
  ThreadsData,
} from './types'

export const THREADS_QUERY =
  'query($owner:String!,$name:String!,$number:Int!){ repository(owner:$owner,name:$name){ pullRequest(number:$number){ reviewThreads(first:100){ nodes { isResolved comments(first:100){ nodes { createdAt } } } } } } }'

export type PullDetail = {
  repo: string
  pull: GhPull
  reviews: GhReview[]
  checkRuns: GhCheckRun[]
  statuses: GhStatus[]
  threads: ReviewThread[]
  lastCommitAt: string | null
}

/** A part GitHub does not show this caller (or does not have) reads as empty; other failures propagate. */
const orEmpty = async <T>(p: Promise<T>, empty: T): Promise<T> => {
  try {
    return await p
  } catch (err) {
    if (err instanceof GitHubMissing) return empty
    throw err
  }
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>) {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** Open pull requests of one repository with reviews, checks, statuses, review threads and last-commit time. */
export async function loadPulls(gh: GitHubClient, reader: Reader, repo: string) {
  const pulls = await gh.getAll<GhPull>(
    reader,
    repo,
    { repo, scope: 'pulls' },
    `/repos/${repo}/pulls?state=open&per_page=100`,
  )
  const [owner, name] = repo.split('/') as [string, string]
  // The client bounds requests in flight per identity; this only bounds the promises held at once.
  return mapLimit(pulls, 32, async (pull): Promise<PullDetail> => {
    const sha = pull.head.sha
    const checks = { repo, scope: 'checks' as const }
    const [reviews, runs, combined, commit, threads] = await Promise.all([
      orEmpty(
        gh.getAll<GhReview>(
          reader,
          repo,
          { repo, scope: 'reviews', number: pull.number },
          `/repos/${repo}/pulls/${pull.number}/reviews?per_page=100`,
        ),
        [],
      ),
      orEmpty(
        gh.get<GhCheckRuns>(reader, repo, checks, `/repos/${repo}/commits/${sha}/check-runs?per_page=100`),
        { total_count: 0, check_runs: [] },
      ),
      orEmpty(
        gh.get<GhCombinedStatus | null>(reader, repo, checks, `/repos/${repo}/commits/${sha}/status`),
        null,
      ),
      orEmpty(gh.get<GhCommit | null>(reader, repo, 'immutable', `/repos/${repo}/commits/${sha}`), null),
      orEmpty(
        gh.graphql<ThreadsData>(
          reader,
          repo,
          { repo, scope: 'threads', number: pull.number },
          THREADS_QUERY,
          {
            owner,
            name,
            number: pull.number,
          },
        ),
        { repository: null },
      ),
    ])
    return {
      repo,
      pull,
      reviews,
      checkRuns: runs.check_runs,
      statuses: combined?.statuses ?? [],
      threads: threads.repository?.pullRequest?.reviewThreads.nodes ?? [],
      lastCommitAt: commit?.commit.committer?.date ?? commit?.commit.author?.date ?? null,
    }
  })
}

/** Open issues of one repository (GitHub lists pull requests as issues too; they are left out). */
export async function loadIssues(gh: GitHubClient, reader: Reader, repo: string) {
  const issues = await gh.getAll<GhIssue>(
    reader,
    repo,
    { repo, scope: 'issues' },
    `/repos/${repo}/issues?state=open&per_page=100`,
  )
  return issues.filter((i) => !i.pull_request)
}
