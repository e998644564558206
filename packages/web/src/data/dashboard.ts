import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { dashboard } from '../api/clients'
import { unwrap } from '../api/errors'

export const PR_BUCKETS = [
  'ready',
  'needs-review',
  'changes-requested',
  'failing-checks',
  'review-requested',
  'mine',
  'drafts',
  'unvetted',
] as const
export type PrBucket = (typeof PR_BUCKETS)[number]
export const ISSUE_BUCKETS = ['triage', 'assigned', 'unassigned', 'mine', 'stale'] as const
export type IssueBucket = (typeof ISSUE_BUCKETS)[number]

export type ListArgs<B> = { workspace: string; bucket: B; login?: string; cursor?: string }

export const dashboardKeys = {
  all: ['dashboard'] as const,
  workspace: (ws: string) => [...dashboardKeys.all, ws] as const,
  prs: (a: ListArgs<PrBucket>) => [...dashboardKeys.workspace(a.workspace), 'prs', a] as const,
  issues: (a: ListArgs<IssueBucket>) => [...dashboardKeys.workspace(a.workspace), 'issues', a] as const,
  author: (ws: string, login: string) => [...dashboardKeys.workspace(ws), 'author', login] as const,
}

const fetchPrs = (a: ListArgs<PrBucket>) =>
  unwrap(dashboard.GET('/api/dashboard/prs', { params: { query: { ...a, page_size: 25 } } }))
export type PrPage = Awaited<ReturnType<typeof fetchPrs>>
export type PrItem = PrPage['results'][number]
export type DashboardAuthor = PrItem['author']

export const usePrs = (a: ListArgs<PrBucket>) =>
  useQuery({ queryKey: dashboardKeys.prs(a), queryFn: () => fetchPrs(a), placeholderData: keepPreviousData })

const fetchIssues = (a: ListArgs<IssueBucket>) =>
  unwrap(dashboard.GET('/api/dashboard/issues', { params: { query: { ...a, page_size: 25 } } }))
export type IssuePage = Awaited<ReturnType<typeof fetchIssues>>
export type IssueItem = IssuePage['results'][number]

export const useIssues = (a: ListArgs<IssueBucket>) =>
  useQuery({
    queryKey: dashboardKeys.issues(a),
    queryFn: () => fetchIssues(a),
    placeholderData: keepPreviousData,
  })

const fetchAuthor = (workspace: string, login: string) =>
  unwrap(
    dashboard.GET('/api/dashboard/vetted-author/{login}', {
      params: { path: { login }, query: { workspace } },
    }),
  )
export type VettedAuthor = Awaited<ReturnType<typeof fetchAuthor>>

export const useVettedAuthor = (workspace: string, login: string) =>
  useQuery({ queryKey: dashboardKeys.author(workspace, login), queryFn: () => fetchAuthor(workspace, login) })
