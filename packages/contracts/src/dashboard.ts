import { type Static, t } from 'elysia'
import { PageQuery, Pagination } from './pagination'
import { AuthorRecord, GitHubLogin, RepoFullName, WorkspaceId } from './workspace'

const Time = t.String({ format: 'date-time' })

/** Each bucket's rule, once: the OpenAPI descriptions and the README are built from these lines. */
export const PR_BUCKETS = {
  ready:
    'Open, not draft, every required check of the check policies that apply to the repository passed on the head commit (check runs and commit statuses, glob patterns), and no unresolved review thread has a comment newer than the last commit.',
  'needs-review': 'Open, not draft, no approval and no outstanding request for changes.',
  'changes-requested': "Open; some reviewer's latest review requests changes.",
  'failing-checks':
    'Open; a check run (failure, timed_out, cancelled, action_required, startup_failure) or commit status (failure, error) on the head commit failed.',
  'review-requested': 'Open; a review is requested from `login` (default: the caller).',
  mine: 'Open; authored by `login` (default: the caller).',
  drafts: 'Open drafts.',
  unvetted:
    'Open; the author is not a workspace member and their author record is `suspected-slop` or `unknown`, or they have none.',
} as const
export const ISSUE_BUCKETS = {
  triage: 'Open issues with no labels and no assignee.',
  assigned: 'Open issues assigned to `login` (default: the caller).',
  unassigned: 'Open issues with no assignee.',
  mine: 'Open issues opened by `login` (default: the caller).',
  stale: 'Open issues not updated for the stale period (BOSUN_DASHBOARD_STALE_DAYS, default 30 days).',
} as const

const describe = (rules: Record<string, string>) =>
  Object.entries(rules)
    .map(([name, rule]) => `- \`${name}\`: ${rule}`)
    .join('\n')

export const PrBucket = t.Union(
  Object.keys(PR_BUCKETS).map((k) => t.Literal(k as keyof typeof PR_BUCKETS)),
  { description: `Pull-request bucket:\n${describe(PR_BUCKETS)}` },
)
export type PrBucket = keyof typeof PR_BUCKETS
export const IssueBucket = t.Union(
  Object.keys(ISSUE_BUCKETS).map((k) => t.Literal(k as keyof typeof ISSUE_BUCKETS)),
  { description: `Issue bucket:\n${describe(ISSUE_BUCKETS)}` },
)
export type IssueBucket = keyof typeof ISSUE_BUCKETS

const WorkspaceSelector = t.Optional(
  t.String({
    pattern: WorkspaceId.pattern,
    description:
      'Workspace whose repositories are read; default: the only workspace the caller belongs to (400 when there are several)',
  }),
)
const Sort = t.Optional(
  t.Union([t.Literal('updated'), t.Literal('created'), t.Literal('number')], {
    description: 'Default updated (newest first with the default direction)',
  }),
)
const Login = t.Optional(
  t.String({
    pattern: GitHubLogin.pattern,
    description:
      'For review-requested, mine and assigned: whose (default: the caller); for other buckets it narrows to items authored by this login',
  }),
)

export const PrQuery = t.Object({
  bucket: PrBucket,
  login: Login,
  workspace: WorkspaceSelector,
  ...PageQuery,
  sort: Sort,
})
export type PrQuery = Static<typeof PrQuery>
export const IssueQuery = t.Object({
  bucket: IssueBucket,
  login: Login,
  unassigned: t.Optional(
    t.Union([t.Literal('1'), t.Literal('0'), t.Literal('true'), t.Literal('false')], {
      description: '1: only issues without an assignee, in any bucket',
    }),
  ),
  workspace: WorkspaceSelector,
  ...PageQuery,
  sort: Sort,
})
export type IssueQuery = Static<typeof IssueQuery>
export const WorkspaceQuery = t.Object({ workspace: WorkspaceSelector })

export const DashboardAuthor = t.Object(
  {
    login: t.String(),
    avatarUrl: t.Union([t.String(), t.Null()]),
    isBot: t.Boolean(),
    member: t.Boolean({ description: 'A member of the workspace' }),
    record: t.Union([AuthorRecord, t.Null()], { description: "The workspace's author record, if any" }),
  },
  { title: 'DashboardAuthor' },
)
export type DashboardAuthor = Static<typeof DashboardAuthor>

export const Label = t.Object({ name: t.String(), color: t.String() }, { title: 'Label' })

export const RequiredCheckState = t.Union([
  t.Literal('passed'),
  t.Literal('failed'),
  t.Literal('pending'),
  t.Literal('missing'),
])
export const ChecksSummary = t.Object(
  {
    state: t.Union([t.Literal('success'), t.Literal('failure'), t.Literal('pending'), t.Literal('none')], {
      description: 'Over every check run and status on the head commit',
    }),
    total: t.Integer(),
    passed: t.Integer(),
    failed: t.Integer(),
    pending: t.Integer(),
    required: t.Array(
      t.Object({
        policy: t.String(),
        pattern: t.String(),
        state: RequiredCheckState,
        matched: t.Array(t.String(), { description: 'Check-run names and status contexts that matched' }),
      }),
      { description: 'Each required pattern of the applicable check policies' },
    ),
  },
  { title: 'ChecksSummary' },
)
export type ChecksSummary = Static<typeof ChecksSummary>

export const ReviewSummary = t.Object(
  {
    state: t.Union([
      t.Literal('approved'),
      t.Literal('changes_requested'),
      t.Literal('commented'),
      t.Literal('none'),
    ]),
    approvals: t.Integer(),
    changesRequested: t.Integer(),
    requestedReviewers: t.Array(t.String()),
    unresolvedThreads: t.Integer(),
    unresolvedAfterLastCommit: t.Integer({
      description: 'Unresolved threads with a comment newer than the last commit',
    }),
  },
  { title: 'ReviewSummary' },
)
export type ReviewSummary = Static<typeof ReviewSummary>

export const NotReadyReason = t.Object(
  {
    code: t.Union([
      t.Literal('draft'),
      t.Literal('check_failed'),
      t.Literal('check_pending'),
      t.Literal('check_missing'),
      t.Literal('unresolved_thread'),
    ]),
    message: t.String(),
  },
  { title: 'NotReadyReason' },
)
export type NotReadyReason = Static<typeof NotReadyReason>

export const PrItem = t.Object(
  {
    repo: RepoFullName,
    number: t.Integer(),
    title: t.String(),
    url: t.String(),
    author: DashboardAuthor,
    labels: t.Array(Label),
    draft: t.Boolean(),
    headSha: t.String(),
    baseRef: t.String(),
    createdAt: Time,
    updatedAt: Time,
    lastCommitAt: t.Union([Time, t.Null()]),
    checks: ChecksSummary,
    review: ReviewSummary,
    ready: t.Boolean(),
    notReady: t.Array(NotReadyReason, { description: 'Why it is not ready; empty when ready' }),
  },
  { title: 'PrItem' },
)
export type PrItem = Static<typeof PrItem>

export const IssueItem = t.Object(
  {
    repo: RepoFullName,
    number: t.Integer(),
    title: t.String(),
    url: t.String(),
    author: DashboardAuthor,
    labels: t.Array(Label),
    assignees: t.Array(t.String()),
    comments: t.Integer(),
    createdAt: Time,
    updatedAt: Time,
    stale: t.Boolean(),
  },
  { title: 'IssueItem' },
)
export type IssueItem = Static<typeof IssueItem>

const RepoProblem = t.Object({
  repo: RepoFullName,
  reason: t.String(),
  error: t.Optional(
    t.String({ description: 'The error code reading it gave (not_found, unavailable, rate_limited, ...)' }),
  ),
})
const StaleRepo = t.Object({
  repo: RepoFullName,
  asOf: Time,
  ageSeconds: t.Integer({ minimum: 0 }),
  resetAt: t.Union([Time, t.Null()], { description: "When the caller's GitHub rate limit resets" }),
})
const listExtras = {
  workspace: WorkspaceId,
  unavailableRepos: t.Array(RepoProblem, {
    description:
      'Workspace repositories that could not be read (not found, not visible to the caller, or GitHub failed); the other repositories answer',
  }),
  stale: t.Array(StaleRepo, {
    description:
      "Repositories answered from an earlier read because refreshing them would spend the caller's GitHub rate-limit reserve",
  }),
}
export const PrPage = t.Object(
  { results: t.Array(PrItem), pagination: Pagination, ...listExtras },
  { title: 'PrPage' },
)
export type PrPage = Static<typeof PrPage>
export const IssuePage = t.Object(
  { results: t.Array(IssueItem), pagination: Pagination, ...listExtras },
  { title: 'IssuePage' },
)
export type IssuePage = Static<typeof IssuePage>

export const HistoryItem = t.Object(
  {
    repo: RepoFullName,
    number: t.Integer(),
    title: t.String(),
    url: t.String(),
    state: t.Union([t.Literal('open'), t.Literal('closed')]),
    draft: t.Boolean(),
    mergedAt: t.Union([Time, t.Null()]),
    createdAt: Time,
    updatedAt: Time,
  },
  { title: 'HistoryItem' },
)
export type HistoryItem = Static<typeof HistoryItem>

export const VettedAuthor = t.Object(
  {
    login: t.String(),
    workspace: WorkspaceId,
    member: t.Boolean(),
    record: t.Union([AuthorRecord, t.Null()]),
    pullRequests: t.Array(HistoryItem, { description: 'Most recently updated first, at most 50' }),
    issues: t.Array(HistoryItem, { description: 'Most recently updated first, at most 50' }),
  },
  { title: 'VettedAuthor' },
)
export type VettedAuthor = Static<typeof VettedAuthor>
export const VettedAuthorParams = t.Object({ login: GitHubLogin })

const RepoPart = t.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$' })
export const IssueMetaParams = t.Object({
  owner: RepoPart,
  repo: RepoPart,
  number: t.Integer({ minimum: 1, maximum: 2_147_483_647 }),
})
export const IssueMeta = t.Object(
  {
    title: t.String(),
    state: t.Union([t.Literal('open'), t.Literal('closed')]),
    draft: t.Boolean({ description: 'Always false for issues' }),
    merged_at: t.Union([Time, t.Null()], { description: 'Pull requests only; null for issues and unmerged' }),
  },
  { title: 'IssueMeta' },
)
export type IssueMeta = Static<typeof IssueMeta>

const RateResource = t.Object({
  limit: t.Integer(),
  remaining: t.Integer(),
  used: t.Integer(),
  resetAt: Time,
})
export const RateLimit = t.Object(
  {
    identity: t.Union([t.Literal('user'), t.Literal('app')], {
      description: "user: the caller's GitHub token; app: the GitHub App installation (API-key callers)",
    }),
    resources: t.Record(t.String(), RateResource, { description: 'core, search, graphql, ...' }),
    reserve: t.Integer({
      description:
        'Points per resource the dashboard leaves unspent (BOSUN_DASHBOARD_RATE_RESERVE): near it, reads answer from cache, marked stale',
    }),
    observed: t.Record(
      t.String(),
      t.Object({ limit: t.Integer(), remaining: t.Integer(), resetAt: Time, observedAt: Time }),
      {
        description: 'What GitHub last said in answers to the dashboard for this identity, per resource',
      },
    ),
  },
  { title: 'RateLimit' },
)
export type RateLimit = Static<typeof RateLimit>

/** Between dashboard instances on `bosun.rt.dashboard.invalidate`: which cached GitHub reads are stale. */
export const CacheInvalidation = t.Object({
  repo: t.String(),
  scope: t.Union([
    t.Literal('repo'),
    t.Literal('pulls'),
    t.Literal('issues'),
    t.Literal('checks'),
    t.Literal('reviews'),
    t.Literal('threads'),
  ]),
  number: t.Optional(t.Integer()),
  /** A commit (check runs and statuses name one, not a pull request): stales the pull requests it heads. */
  sha: t.Optional(t.String({ pattern: '^[0-9a-f]{40}$' })),
})
export type CacheInvalidation = Static<typeof CacheInvalidation>

/** `GET /api/dashboard/realtime?workspace=` (WebSocket): which workspace's socket. */
export const DashboardRealtimeQuery = t.Object({ workspace: WorkspaceId })
/**
 * What the dashboard socket sends when the buckets of its workspace may read differently now: GitHub changed
 * one of its repositories (a webhook) or the workspace changed (members, author records, policies,
 * repositories). The client reads the buckets again; the cache has already been told.
 */
export const DashboardChanged = t.Object(
  {
    type: t.Literal('changed'),
    workspace: WorkspaceId,
    cause: t.Union([t.Literal('github'), t.Literal('workspace')]),
    repo: t.Optional(t.String()),
  },
  { title: 'DashboardChanged' },
)
export type DashboardChanged = Static<typeof DashboardChanged>
