import type { IssueItem, IssueQuery, PrItem, PrQuery } from '@bosun/contracts/dashboard'
import { isDescending } from '@bosun/contracts/pagination'
import type { Principal } from '@bosun/contracts/principal'
import { AppError } from '@bosun/service-kit/errors'
import { paginate } from '@bosun/service-kit/paging'
import type { DashboardDeps } from '../deps'
import { GitHubMissing } from '../github/errors'
import type { Reader } from '../github/readers'
import { loadIssues, mapLimit } from '../github/repo-data'
import { resolveWorkspace } from '../workspaces/service'
import type { WorkspaceView } from '../workspaces/views'
import type { Context } from './context'
import { issueBuckets, toIssueItem } from './issues'
import { LOGIN_BUCKETS, prBuckets, toPrItem } from './pulls'

const DAY_MS = 24 * 3600 * 1000

type Row = { repo: string; number: number; createdAt: string; updatedAt: string; author: { login: string } }
type ListQuery = {
  sort?: 'updated' | 'created' | 'number'
  direction?: PrQuery['direction']
  cursor?: string
  page_size?: number
}

const sorters = {
  updated: (a: Row, b: Row) => a.updatedAt.localeCompare(b.updatedAt),
  created: (a: Row, b: Row) => a.createdAt.localeCompare(b.createdAt),
  number: (a: Row, b: Row) => a.number - b.number,
}
const tieBreak = (a: Row, b: Row) => a.repo.localeCompare(b.repo) || a.number - b.number

/** Newest first unless `direction=asc`. */
function order<T extends Row>(rows: T[], q: ListQuery): T[] {
  const by = sorters[q.sort ?? 'updated']
  const asc = q.direction !== undefined && !isDescending(q.direction)
  return rows.sort((a, b) => (asc ? 1 : -1) * (by(a, b) || tieBreak(a, b)))
}

const contextOf = (view: WorkspaceView, deps: DashboardDeps): Context => ({
  policies: view.snapshot.checkPolicies,
  members: view.members,
  authors: view.authors,
  now: Date.now(),
  staleMs: deps.env.BOSUN_DASHBOARD_STALE_DAYS * DAY_MS,
})

type Stale = { repo: string; asOf: string; ageSeconds: number; resetAt: string | null }

const problemOf = (repo: string, err: unknown) => {
  if (err instanceof GitHubMissing)
    return { repo, reason: `not found or not visible (GitHub ${err.status})`, error: 'not_found' }
  if (err instanceof AppError) return { repo, reason: err.message, error: err.code }
  return { repo, reason: 'reading it failed', error: 'internal' }
}

/**
 * Loads every repository of the workspace, a bounded number at once. One that fails is reported beside the
 * others' answers; only when every repository fails does the read fail, with the first repository's error.
 */
async function perRepo<T>(
  deps: DashboardDeps,
  view: WorkspaceView,
  load: (repo: string) => Promise<{ items: T[]; stale?: Omit<Stale, 'repo'> }>,
) {
  const repos = view.snapshot.repositories.map((r) => r.fullName)
  const failures: Array<{ repo: string; err: unknown }> = []
  const stale: Stale[] = []
  const lists = await mapLimit(repos, deps.env.BOSUN_DASHBOARD_GITHUB_CONCURRENCY, async (repo) => {
    try {
      const got = await load(repo)
      if (got.stale) stale.push({ repo, ...got.stale })
      return got.items
    } catch (err) {
      failures.push({ repo, err })
      return []
    }
  })
  const first = failures[0]
  if (first && failures.length === repos.length && !(first.err instanceof GitHubMissing)) throw first.err
  const unavailableRepos = failures
    .map((f) => problemOf(f.repo, f.err))
    .sort((a, b) => a.repo.localeCompare(b.repo))
  return { items: lists.flat(), unavailableRepos, stale: stale.sort((a, b) => a.repo.localeCompare(b.repo)) }
}

async function answer(
  deps: DashboardDeps,
  principal: Principal,
  q: ListQuery & { workspace?: string; bucket: string; login?: string },
  kind: string,
  build: (view: WorkspaceView, reader: Reader, login: string) => Promise<object>,
): Promise<string> {
  const view = await resolveWorkspace(deps, principal, q.workspace)
  const reader = deps.readers.forPrincipal(principal)
  const login = q.login ?? principal.login
  const key = [kind, reader.key, view.id, q.bucket, login, q.login ? 1 : 0, q.sort, q.direction]
    .concat([q.cursor ?? '', String(q.page_size ?? '')])
    .join('\u0000')
  const stamp = `${deps.freshness.total}:${view.version}`
  return deps.answers.get(key, stamp, async () => JSON.stringify(await build(view, reader, login)))
}

const narrow = <T extends Row>(items: T[], bucket: string, login: string | undefined) =>
  login && !LOGIN_BUCKETS.has(bucket)
    ? items.filter((i) => i.author.login.toLowerCase() === login.toLowerCase())
    : items

export function listPulls(deps: DashboardDeps, principal: Principal, q: PrQuery): Promise<string> {
  return answer(deps, principal, q, 'prs', async (view, reader, login) => {
    const { items, ...extras } = await perRepo(deps, view, async (repo) => {
      const got = await deps.pulls.get(reader, repo)
      return { items: got.pulls, stale: got.stale }
    })
    const ctx = contextOf(view, deps)
    const rows: PrItem[] = items.map((d) => toPrItem(d, ctx)).filter((i) => prBuckets[q.bucket](i, login))
    const page = paginate(order(narrow(rows, q.bucket, q.login), q), q)
    return { ...page, workspace: view.id, ...extras }
  })
}

const truthy = (v: string | undefined) => v === '1' || v === 'true'

export function listIssues(deps: DashboardDeps, principal: Principal, q: IssueQuery): Promise<string> {
  return answer(
    deps,
    principal,
    { ...q, bucket: `${q.bucket}:${truthy(q.unassigned)}` },
    'issues',
    async (view, reader, login) => {
      const { items, ...extras } = await perRepo(deps, view, async (repo) => ({
        items: (await loadIssues(deps.gh, reader, repo)).map((issue) => ({ repo, issue })),
      }))
      const ctx = contextOf(view, deps)
      const rows: IssueItem[] = items
        .map(({ repo, issue }) => toIssueItem(repo, issue, ctx))
        .filter(
          (i) => issueBuckets[q.bucket](i, login) && (!truthy(q.unassigned) || i.assignees.length === 0),
        )
      const page = paginate(order(narrow(rows, q.bucket, q.login), q), q)
      return { ...page, workspace: view.id, ...extras }
    },
  )
}
