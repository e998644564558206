import type { IssueBucket, IssueItem } from '@bosun/contracts/dashboard'
import type { IssueRow } from '../github/rows'
import { type Context, toAuthor } from './context'

export function toIssueItem(repo: string, issue: IssueRow, ctx: Context): IssueItem {
  return {
    repo,
    number: issue.number,
    title: issue.title,
    url: issue.html_url,
    author: toAuthor(issue.user, ctx),
    labels: issue.labels,
    assignees: issue.assignees,
    comments: issue.comments,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    stale: ctx.now - Date.parse(issue.updated_at) > ctx.staleMs,
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The rules of ISSUE_BUCKETS in contracts, as predicates. */
export const issueBuckets: Record<IssueBucket, (item: IssueItem, login: string) => boolean> = {
  triage: (i) => i.labels.length === 0 && i.assignees.length === 0,
  assigned: (i, login) => i.assignees.some((a) => same(a, login)),
  unassigned: (i) => i.assignees.length === 0,
  mine: (i, login) => same(i.author.login, login),
  stale: (i) => i.stale,
}
