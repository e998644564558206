import type { GitHubClient } from './client'
import { GitHubMissing } from './errors'
import type { Reader } from './readers'
import {
  type CheckRunRow,
  checkRunRows,
  commitTime,
  type IssueRow,
  issueRows,
  type PullRow,
  pullRows,
  type ReviewRow,
  reviewRows,
  type StatusRow,
  statusRows,
} from './rows'
import type { ReviewThread, ThreadsData } from './types'

export const THREADS_QUERY =
  'query($owner:String!,$name:String!,$number:Int!){ repository(owner:$owner,name:$name){ pullRequest(number:$number){ reviewThreads(first:100){ nodes { isResolved comments(first:100){ nodes { createdAt } } } } } } }'

export type PullDetail = {
  repo: string
  pull: PullRow
  reviews: ReviewRow[]
  checkRuns: CheckRunRow[]
  statuses: StatusRow[]
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
export async function loadPulls(gh: GitHubClient, reader: Reader, repo: string): Promise<PullDetail[]> {
  const pulls = await gh.getAll(
    reader,
    repo,
    { repo, scope: 'pulls' },
    `/repos/${repo}/pulls?state=open&per_page=100`,
    pullRows,
  )
  const [owner, name] = repo.split('/') as [string, string]
  // The client bounds requests in flight per identity; this only bounds the promises held at once.
  return mapLimit(pulls, 32, async (pull): Promise<PullDetail> => {
    const sha = pull.head.sha
    const checks = { repo, scope: 'checks' as const }
    const [reviews, checkRuns, statuses, lastCommitAt, threads] = await Promise.all([
      orEmpty(
        gh.getAll(
          reader,
          repo,
          { repo, scope: 'reviews', number: pull.number },
          `/repos/${repo}/pulls/${pull.number}/reviews?per_page=100`,
          reviewRows,
        ),
        [],
      ),
      // Every page: a failing required check or status past the first one must still count.
      orEmpty(
        gh.getAll(
          reader,
          repo,
          checks,
          `/repos/${repo}/commits/${sha}/check-runs?per_page=100`,
          checkRunRows,
        ),
        [],
      ),
      orEmpty(
        gh.getAll(reader, repo, checks, `/repos/${repo}/commits/${sha}/status?per_page=100`, statusRows),
        [],
      ),
      orEmpty(gh.get(reader, repo, 'immutable', `/repos/${repo}/commits/${sha}`, commitTime), null),
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
      checkRuns,
      statuses,
      threads: threads.repository?.pullRequest?.reviewThreads.nodes ?? [],
      lastCommitAt,
    }
  })
}

/** Open issues of one repository (GitHub lists pull requests as issues too; they are left out). */
export async function loadIssues(gh: GitHubClient, reader: Reader, repo: string): Promise<IssueRow[]> {
  const issues = await gh.getAll(
    reader,
    repo,
    { repo, scope: 'issues' },
    `/repos/${repo}/issues?state=open&per_page=100`,
    issueRows,
  )
  return issues.filter((i) => !i.isPull)
}
