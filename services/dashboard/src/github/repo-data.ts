import type { GitHubClient } from './client'
import {
  type GqlActor,
  type GqlContext,
  type GqlPull,
  type GqlReview,
  type GqlThread,
  MORE_CONTEXTS,
  MORE_REVIEWS,
  MORE_THREADS,
  type MoreData,
  ONE_PULL,
  type OnePullData,
  PULLS_PAGE,
  type PullsPageData,
  THREAD_COMMENTS_BY_ID,
  type ThreadCommentsData,
} from './queries'
import type { Reader } from './readers'
import {
  type CheckRunRow,
  type IssueRow,
  issueRows,
  type PullRow,
  type ReviewRow,
  type StatusRow,
  type UserRow,
} from './rows'
import type { ReviewThread } from './types'

export type PullDetail = {
  repo: string
  pull: PullRow
  reviews: ReviewRow[]
  checkRuns: CheckRunRow[]
  statuses: StatusRow[]
  threads: ReviewThread[]
  lastCommitAt: string | null
}

const MAX_PAGE = 100
type Conn<T> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: T[] }

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

/** GraphQL names a bot without the `[bot]` its REST login (and so author records) carries. */
const loginOf = (a: NonNullable<GqlActor>) => (a.__typename === 'Bot' ? `${a.login}[bot]` : a.login)
const userOf = (a: GqlActor): UserRow | null =>
  a
    ? { login: loginOf(a), avatar_url: a.avatarUrl ?? null, type: a.__typename === 'Bot' ? 'Bot' : 'User' }
    : null

const reviewRow = (r: GqlReview): ReviewRow => ({
  login: r.author ? loginOf(r.author) : null,
  state: r.state,
  submitted_at: r.submittedAt,
})

function splitContexts(contexts: GqlContext[]) {
  const checkRuns: CheckRunRow[] = []
  const statuses: StatusRow[] = []
  for (const c of contexts) {
    if (c.__typename === 'CheckRun')
      checkRuns.push({
        id: c.databaseId,
        name: c.name,
        status: c.status.toLowerCase(),
        conclusion: c.conclusion?.toLowerCase() ?? null,
      })
    else statuses.push({ context: c.context, state: c.state.toLowerCase() })
  }
  return { checkRuns, statuses }
}

/** A pull request as GraphQL gave it; thread comments come from `comments` when asked separately. */
function toDetail(
  repo: string,
  p: GqlPull,
  contexts: GqlContext[],
  threads: GqlThread[],
  reviews: GqlReview[],
): PullDetail {
  return {
    repo,
    pull: {
      number: p.number,
      title: p.title,
      html_url: p.url,
      draft: p.isDraft,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      user: userOf(p.author),
      labels: p.labels.nodes.map((l) => ({ name: l.name, color: l.color })),
      head: { sha: p.headRefOid },
      base: { ref: p.baseRefName },
      requested_reviewers: p.reviewRequests.nodes.flatMap((r) =>
        r.requestedReviewer?.login
          ? [loginOf({ __typename: r.requestedReviewer.__typename, login: r.requestedReviewer.login })]
          : [],
      ),
    },
    reviews: reviews.map(reviewRow),
    ...splitContexts(contexts),
    threads: threads.map((t) => ({ isResolved: t.isResolved, comments: { nodes: t.comments?.nodes ?? [] } })),
    lastCommitAt: p.headRef?.target?.committedDate ?? null,
  }
}

type Target = { owner: string; name: string }
const target = (repo: string): Target => {
  const [owner, name] = repo.split('/') as [string, string]
  return { owner, name }
}

/** The connections of one pull request past their first 100 entries, each followed to its end. */
async function completePull(gh: GitHubClient, reader: Reader, repo: string, p: GqlPull) {
  const vars = { ...target(repo), number: p.number }
  const follow = async <T>(
    first: Conn<T> | undefined,
    query: string,
    pick: (d: MoreData<string, T>) => Conn<T> | undefined,
  ): Promise<T[]> => {
    const out = [...(first?.nodes ?? [])]
    let info = first?.pageInfo
    for (let page = 0; info?.hasNextPage && info.endCursor && page < 50; page++) {
      const data = await gh.query<MoreData<string, T>>(reader, repo, query, {
        ...vars,
        after: info.endCursor,
      })
      const next = pick(data)
      out.push(...(next?.nodes ?? []))
      info = next?.pageInfo
    }
    return out
  }
  const [contexts, reviews, threads] = await Promise.all([
    follow(
      p.statusCheckRollup?.contexts,
      MORE_CONTEXTS,
      (d) =>
        (d.repository?.pullRequest as unknown as { statusCheckRollup: { contexts: Conn<GqlContext> } } | null)
          ?.statusCheckRollup?.contexts,
    ),
    follow(p.reviews, MORE_REVIEWS, (d) => d.repository?.pullRequest?.reviews as Conn<GqlReview>),
    follow(p.reviewThreads, MORE_THREADS, (d) => d.repository?.pullRequest?.reviewThreads as Conn<GqlThread>),
  ])
  return { contexts, reviews, threads }
}

/** Last-comment times of the unresolved threads (the only ones the ready rule reads), by id, 100 a call. */
async function threadComments(gh: GitHubClient, reader: Reader, repo: string, threads: GqlThread[]) {
  const wanted = threads.filter((t) => !t.isResolved && !t.comments).map((t) => t.id)
  const found = new Map<string, GqlThread>()
  for (let i = 0; i < wanted.length; i += MAX_PAGE) {
    const data = await gh.query<ThreadCommentsData>(reader, repo, THREAD_COMMENTS_BY_ID, {
      ids: wanted.slice(i, i + MAX_PAGE),
    })
    for (const t of data.nodes) if (t?.id) found.set(t.id, t)
  }
  return found
}

async function details(
  gh: GitHubClient,
  reader: Reader,
  repo: string,
  pulls: GqlPull[],
): Promise<PullDetail[]> {
  const completed = await mapLimit(pulls, 8, async (p) => ({
    p,
    ...(await completePull(gh, reader, repo, p)),
  }))
  const comments = await threadComments(
    gh,
    reader,
    repo,
    completed.flatMap((c) => c.threads),
  )
  return completed.map(({ p, contexts, reviews, threads }) =>
    toDetail(
      repo,
      p,
      contexts,
      threads.map((t) => comments.get(t.id) ?? t),
      reviews,
    ),
  )
}

/** Every open pull request of one repository: a GraphQL page per 100, then the comments of unresolved threads. */
export async function loadPulls(gh: GitHubClient, reader: Reader, repo: string): Promise<PullDetail[]> {
  const pulls: GqlPull[] = []
  let after: string | null = null
  let first = MAX_PAGE
  for (let page = 0; page < 100; page++) {
    const data: PullsPageData = await gh.query<PullsPageData>(reader, repo, PULLS_PAGE, {
      ...target(repo),
      first,
      after,
    })
    const conn = data.repository?.pullRequests
    if (!conn) break
    pulls.push(...conn.nodes)
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) break
    after = conn.pageInfo.endCursor
    // GitHub charges a page by its `first`: the last page asks only for what is left.
    first = Math.max(1, Math.min(MAX_PAGE, conn.totalCount - pulls.length))
  }
  return details(gh, reader, repo, pulls)
}

/** One pull request, thread comments included; null when it is no longer open (or gone). */
export async function loadPull(
  gh: GitHubClient,
  reader: Reader,
  repo: string,
  number: number,
): Promise<PullDetail | null> {
  const data = await gh.query<OnePullData>(reader, repo, ONE_PULL, { ...target(repo), number })
  const p = data.repository?.pullRequest
  if (p?.state !== 'OPEN') return null
  return (await details(gh, reader, repo, [p]))[0] ?? null
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
