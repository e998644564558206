import type { GhIssue } from './types'

/**
 * The fields Bosun reads from GitHub (REST issues, and pull requests mapped from GraphQL). Cached answers keep
 * only these, which cuts the memory a cached list holds by an order of magnitude.
 */
export type UserRow = { login: string; avatar_url: string | null; type: string | null }
export type LabelRow = { name: string; color: string }
export type PullRow = {
  number: number
  title: string
  html_url: string
  draft: boolean
  created_at: string
  updated_at: string
  user: UserRow | null
  labels: LabelRow[]
  head: { sha: string }
  base: { ref: string }
  requested_reviewers: string[]
}
export type IssueRow = {
  number: number
  title: string
  html_url: string
  state: string
  draft: boolean
  created_at: string
  updated_at: string
  comments: number
  user: UserRow | null
  labels: LabelRow[]
  assignees: string[]
  isPull: boolean
  merged_at: string | null
}
export type CheckRunRow = { id: number | bigint; name: string; status: string; conclusion: string | null }
export type StatusRow = { context: string; state: string }
export type ReviewRow = { login: string | null; state: string; submitted_at: string | null }

const userRow = (
  u: { login: string; avatar_url?: string; type?: string } | null | undefined,
): UserRow | null => (u ? { login: u.login, avatar_url: u.avatar_url ?? null, type: u.type ?? null } : null)

export const issueRow = (body: unknown): IssueRow => {
  const i = body as GhIssue
  return {
    number: i.number,
    title: i.title,
    html_url: i.html_url,
    state: i.state,
    draft: Boolean(i.draft),
    created_at: i.created_at,
    updated_at: i.updated_at,
    comments: i.comments,
    user: userRow(i.user),
    labels: i.labels.map((l) =>
      typeof l === 'string' ? { name: l, color: '' } : { name: l.name ?? '', color: l.color ?? '' },
    ),
    assignees: (i.assignees ?? []).map((a) => a.login),
    isPull: Boolean(i.pull_request),
    merged_at: i.pull_request?.merged_at ?? null,
  }
}
export const issueRows = (body: unknown): IssueRow[] => (body as unknown[]).map(issueRow)
