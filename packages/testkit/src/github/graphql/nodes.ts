import { GraphQLError } from 'graphql'
import { canSee, type Principal } from '../http'
import { combinedState, fullName } from '../shapes'
import type {
  GhCheckRun,
  GhIssue,
  GhPull,
  GhRepo,
  GhReview,
  GhReviewComment,
  GhStatus,
  GhThread,
  GhUser,
  GitHubState,
} from '../state'
import { MAX_PAGE } from './cost'

/** What every resolver sees: the state, the caller, the web root and the request's rate-limit bucket. */
export type GqlContext = {
  state: GitHubState
  principal: Principal
  base: string
  rate: { cost: number; limit: number; remaining: number; used: number; resetAt: string }
  commitDates: (repo: GhRepo, sha: string) => Promise<string | null>
  failing: (repo: GhRepo) => boolean
}

type Args = Record<string, unknown>
type Pull = GhIssue & { pull: GhPull }

/** An error GitHub reports with a `type` (NOT_FOUND, ...), next to `data`. */
export class TypedError extends GraphQLError {
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message)
  }
}

const nodeId = (kind: string, id: number | string) => Buffer.from(`0:${kind}:${id}`).toString('base64')
export const parseNodeId = (id: string): { kind: string; key: string } | undefined => {
  const m = /^0:(\w+):(.+)$/.exec(Buffer.from(id, 'base64').toString())
  return m ? { kind: m[1]!, key: m[2]! } : undefined
}
const cursorOf = (i: number) => Buffer.from(`cursor:v2:${i}`).toString('base64')
const indexOf = (cursor: unknown) => {
  if (typeof cursor !== 'string') return undefined
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString())
  if (!m)
    throw new TypedError(`\`${cursor}\` does not appear to be a valid cursor.`, 'INVALID_CURSOR_ARGUMENTS')
  return Number(m[1])
}

/** Relay connection over a list, with GitHub's rules: `first` or `last` required, at most 100. */
export function connection<T>(all: T[], args: Args, node: (t: T) => unknown, field: string) {
  const first = args.first as number | undefined
  const last = args.last as number | undefined
  if (first === undefined && last === undefined)
    throw new TypedError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
      'MISSING_PAGINATION_BOUNDARIES',
    )
  for (const [name, n] of [
    ['first', first],
    ['last', last],
  ] as const)
    if (n !== undefined && (n < 0 || n > MAX_PAGE))
      throw new TypedError(
        `Requesting ${n} records on the \`${field}\` connection exceeds the \`${name}\` limit of ${MAX_PAGE} records.`,
        'EXCESSIVE_PAGINATION',
      )
  let start = 0
  let end = all.length
  const after = indexOf(args.after)
  const before = indexOf(args.before)
  if (after !== undefined) start = after + 1
  if (before !== undefined) end = Math.min(end, before)
  if (first !== undefined) end = Math.min(end, start + first)
  if (last !== undefined) start = Math.max(start, end - last)
  const slice = all.slice(start, end).map((item, i) => ({ item, cursor: cursorOf(start + i) }))
  return {
    totalCount: all.length,
    nodes: () => slice.map((s) => node(s.item)),
    edges: () => slice.map((s) => ({ cursor: s.cursor, node: node(s.item) })),
    pageInfo: {
      hasNextPage: end < all.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  }
}

/** GraphQL shows a bot's login without the `[bot]` REST adds. */
export function actor(ctx: GqlContext, u: GhUser) {
  const bot = u.type === 'Bot'
  const login = bot ? u.login.replace(/\[bot\]$/, '') : u.login
  return {
    __typename: bot ? 'Bot' : u.type === 'Organization' ? 'Organization' : 'User',
    id: nodeId(bot ? 'Bot' : 'User', u.id),
    databaseId: u.id,
    login,
    name: u.name,
    avatarUrl: `${ctx.base}/avatars/${encodeURIComponent(u.login)}`,
    url: `${ctx.base}/${encodeURIComponent(u.login)}`,
  }
}

const upper = (s: string) => s.toUpperCase()
const label = (l: { id: number; name: string; color: string; description: string | null }) => ({
  __typename: 'Label',
  id: nodeId('Label', l.id),
  name: l.name,
  color: l.color,
  description: l.description,
})

function checkRunNode(ctx: GqlContext, repo: GhRepo, r: GhCheckRun) {
  return {
    __typename: 'CheckRun',
    id: nodeId('CheckRun', r.id),
    databaseId: r.id,
    name: r.name,
    status: upper(r.status),
    conclusion: r.conclusion ? upper(r.conclusion) : null,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
    detailsUrl: r.detailsUrl,
    title: r.output.title,
    url: `${ctx.base}/${fullName(repo)}/runs/${r.id}`,
  }
}

const statusNode = (s: GhStatus) => ({
  __typename: 'StatusContext',
  id: nodeId('StatusContext', s.id),
  context: s.context,
  state: upper(s.state),
  description: s.description,
  targetUrl: s.targetUrl,
  createdAt: s.createdAt,
})

/** The newest check run of each name and the newest status of each context on `sha`, as GitHub rolls them up. */
function rollup(ctx: GqlContext, repo: GhRepo, sha: string) {
  const runs = repo.checkRuns.filter((r) => r.headSha === sha)
  const latestRuns = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id))
  const statuses = repo.statuses.filter((s) => s.sha === sha)
  const latestStatuses = statuses.filter((s) => !statuses.some((o) => o.context === s.context && o.id > s.id))
  if (!latestRuns.length && !latestStatuses.length) return null
  const contexts: Array<{ run?: GhCheckRun; status?: GhStatus }> = [
    ...latestRuns.map((run) => ({ run })),
    ...latestStatuses.map((status) => ({ status })),
  ]
  const failed =
    latestRuns.some((r) =>
      ['failure', 'timed_out', 'cancelled', 'action_required'].includes(r.conclusion ?? ''),
    ) || combinedState(latestStatuses) === 'failure'
  const pending =
    latestRuns.some((r) => r.status !== 'completed') || latestStatuses.some((s) => s.state === 'pending')
  return {
    __typename: 'StatusCheckRollup',
    id: nodeId('StatusCheckRollup', sha),
    state: failed ? 'FAILURE' : pending ? 'PENDING' : 'SUCCESS',
    commit: () => commitNode(ctx, repo, sha),
    contexts: (args: Args) =>
      connection(
        contexts,
        args,
        (c) => (c.run ? checkRunNode(ctx, repo, c.run) : statusNode(c.status!)),
        'contexts',
      ),
  }
}

function commitNode(ctx: GqlContext, repo: GhRepo, sha: string) {
  return {
    __typename: 'Commit',
    id: nodeId('Commit', sha),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    committedDate: () => ctx.commitDates(repo, sha),
    url: `${ctx.base}/${fullName(repo)}/commit/${sha}`,
    statusCheckRollup: () => rollup(ctx, repo, sha),
  }
}

function commentNode(ctx: GqlContext, c: GhReviewComment) {
  return {
    __typename: 'PullRequestReviewComment',
    id: nodeId('PullRequestReviewComment', c.id),
    databaseId: c.id,
    author: actor(ctx, c.user),
    body: c.body,
    path: c.path,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  }
}

export function threadNode(ctx: GqlContext, repo: GhRepo, issue: Pull, t: GhThread) {
  return {
    __typename: 'PullRequestReviewThread',
    id: nodeId('PullRequestReviewThread', `${repo.id}:${issue.number}:${t.id}`),
    isResolved: t.resolved,
    isOutdated: false,
    path: t.comments[0]?.path ?? '',
    comments: (args: Args) => connection(t.comments, args, (c) => commentNode(ctx, c), 'comments'),
    pullRequest: () => pullNode(ctx, repo, issue),
  }
}

const reviewNode = (ctx: GqlContext, r: GhReview) => ({
  __typename: 'PullRequestReview',
  id: nodeId('PullRequestReview', r.id),
  databaseId: r.id,
  author: actor(ctx, r.user),
  state: r.state,
  body: r.body,
  submittedAt: r.submittedAt,
})

/** Approved or changes requested by each reviewer's latest decisive review; else review required. */
function reviewDecision(p: GhPull) {
  const latest = new Map<number, string>()
  for (const r of p.reviews)
    if (['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) latest.set(r.user.id, r.state)
  const states = [...latest.values()]
  if (states.includes('CHANGES_REQUESTED')) return 'CHANGES_REQUESTED'
  return states.includes('APPROVED') ? 'APPROVED' : 'REVIEW_REQUIRED'
}

const byState = (states: unknown) => (Array.isArray(states) ? new Set(states as string[]) : undefined)

export function pullNode(ctx: GqlContext, repo: GhRepo, issue: Pull) {
  const p = issue.pull
  return {
    __typename: 'PullRequest',
    id: nodeId('PullRequest', p.id),
    databaseId: p.id,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    url: `${ctx.base}/${fullName(repo)}/pull/${issue.number}`,
    state: p.merged ? 'MERGED' : upper(issue.state),
    isDraft: p.draft,
    merged: p.merged,
    mergedAt: p.mergedAt,
    closedAt: issue.closedAt,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    author: actor(ctx, issue.user),
    baseRefName: p.base.ref,
    headRefName: p.head.ref,
    headRefOid: p.head.sha,
    headRef: {
      __typename: 'Ref',
      id: nodeId('Ref', `${repo.id}:${p.head.ref}`),
      name: p.head.ref,
      prefix: 'refs/heads/',
      target: () => commitNode(ctx, repo, p.head.sha),
    },
    reviewDecision: reviewDecision(p),
    repository: () => repositoryNode(ctx, repo),
    labels: (args: Args) => connection(issue.labels, args, label, 'labels'),
    assignees: (args: Args) => connection(issue.assignees, args, (u) => actor(ctx, u), 'assignees'),
    reviewRequests: (args: Args) =>
      connection(
        p.requestedReviewers,
        args,
        (u) => ({
          __typename: 'ReviewRequest',
          id: nodeId('ReviewRequest', `${p.id}:${u.id}`),
          requestedReviewer: actor(ctx, u),
        }),
        'reviewRequests',
      ),
    reviews: (args: Args) => {
      const states = byState(args.states)
      return connection(
        p.reviews.filter((r) => !states || states.has(r.state)),
        args,
        (r) => reviewNode(ctx, r),
        'reviews',
      )
    },
    reviewThreads: (args: Args) =>
      connection(p.threads, args, (t) => threadNode(ctx, repo, issue, t), 'reviewThreads'),
    statusCheckRollup: () => rollup(ctx, repo, p.head.sha),
    commits: (args: Args) =>
      connection(
        [p.head.sha],
        args,
        (sha) => ({
          __typename: 'PullRequestCommit',
          id: nodeId('PullRequestCommit', `${p.id}:${sha}`),
          commit: commitNode(ctx, repo, sha),
        }),
        'commits',
      ),
  }
}

function issueNode(ctx: GqlContext, repo: GhRepo, issue: GhIssue) {
  return {
    __typename: 'Issue',
    id: nodeId('Issue', issue.id),
    databaseId: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    url: `${ctx.base}/${fullName(repo)}/issues/${issue.number}`,
    state: upper(issue.state),
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    closedAt: issue.closedAt,
    author: actor(ctx, issue.user),
    labels: (args: Args) => connection(issue.labels, args, label, 'labels'),
    assignees: (args: Args) => connection(issue.assignees, args, (u) => actor(ctx, u), 'assignees'),
    comments: (args: Args) =>
      connection(
        issue.comments,
        args,
        (c) => ({
          __typename: 'IssueComment',
          id: nodeId('IssueComment', c.id),
          body: c.body,
          createdAt: c.createdAt,
          author: actor(ctx, c.user),
        }),
        'comments',
      ),
  }
}

const ORDER: Record<string, (i: GhIssue) => string | number> = {
  CREATED_AT: (i) => i.createdAt,
  UPDATED_AT: (i) => i.updatedAt,
}
function ordered<T extends GhIssue>(items: T[], orderBy: unknown): T[] {
  const o = orderBy as { field?: string; direction?: string } | undefined
  const key = ORDER[o?.field ?? ''] ?? ((i: GhIssue) => i.number)
  const sign = o?.direction === 'DESC' ? -1 : 1
  return [...items].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    return (x < y ? -1 : x > y ? 1 : a.number - b.number) * sign
  })
}

export function repositoryNode(ctx: GqlContext, repo: GhRepo) {
  const issues = [...repo.issues.values()]
  const pulls = issues.filter((i): i is Pull => !!i.pull)
  const stateOf = (i: GhIssue) => (i.pull?.merged ? 'MERGED' : upper(i.state))
  return {
    __typename: 'Repository',
    id: nodeId('Repository', repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: fullName(repo),
    isPrivate: repo.private,
    url: `${ctx.base}/${fullName(repo)}`,
    owner: actor(ctx, repo.owner),
    pullRequest: (args: Args) => {
      const issue = repo.issues.get(Number(args.number))
      if (!issue?.pull)
        throw new TypedError(
          `Could not resolve to a PullRequest with the number of ${args.number}.`,
          'NOT_FOUND',
        )
      return pullNode(ctx, repo, issue as Pull)
    },
    pullRequests: (args: Args) => {
      const states = byState(args.states)
      const chosen = pulls.filter((i) => !states || states.has(stateOf(i)))
      return connection(ordered(chosen, args.orderBy), args, (i) => pullNode(ctx, repo, i), 'pullRequests')
    },
    issues: (args: Args) => {
      const states = byState(args.states)
      const chosen = issues.filter((i) => !i.pull && (!states || states.has(stateOf(i))))
      return connection(ordered(chosen, args.orderBy), args, (i) => issueNode(ctx, repo, i), 'issues')
    },
  }
}

/** `repository(owner:, name:)` as the caller may see it; GitHub says NOT_FOUND for what it may not. */
export function findRepository(ctx: GqlContext, owner: string, name: string) {
  const repo = ctx.state.repo(`${owner}/${name}`)
  if (!repo || !canSee(ctx.principal, repo))
    throw new TypedError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, 'NOT_FOUND')
  if (ctx.failing(repo)) throw new TypedError('Something went wrong while executing your query.', 'INTERNAL')
  return repo
}
