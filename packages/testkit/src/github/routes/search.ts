import { type Ctx, canSee, HttpError, paginate, type Router, sortBy } from '../http'
import { fullName, issueShape } from '../shapes'
import type { GhIssue, GhRepo } from '../state'

type Term = { key?: string; value: string; negated: boolean }

/** Splits `q` into qualifiers and words, keeping quoted values (`label:"needs review"`) whole. */
export function parseQuery(q: string): Term[] {
  const terms: Term[] = []
  for (const m of q.matchAll(/(-?)(?:([\w-]+):)?(?:"([^"]*)"|(\S+))/g)) {
    const value = m[3] ?? m[4] ?? ''
    terms.push({ key: m[2]?.toLowerCase(), value, negated: m[1] === '-' })
  }
  return terms
}

type Hit = { repo: GhRepo; issue: GhIssue }
const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

function dateMatches(iso: string, expr: string): boolean {
  const day = iso.slice(0, 10)
  const range = expr.split('..')
  if (range.length === 2)
    return (range[0] === '*' || day >= range[0]!) && (range[1] === '*' || day <= range[1]!)
  const m = /^(>=|<=|>|<)?(.+)$/.exec(expr)!
  const value = m[2]!
  const cmp = value.includes('T') ? iso : day
  switch (m[1]) {
    case '>=':
      return cmp >= value
    case '<=':
      return cmp <= value
    case '>':
      return cmp > value
    case '<':
      return cmp < value
    default:
      return cmp === value
  }
}

function latestReviewStates(issue: GhIssue): string[] {
  const byUser = new Map<number, string>()
  for (const r of issue.pull?.reviews ?? [])
    if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED') byUser.set(r.user.id, r.state)
  return [...byUser.values()]
}

function matchTerm({ repo, issue }: Hit, t: Term): boolean {
  const v = t.value
  const pull = issue.pull
  switch (t.key) {
    case 'repo':
      return eq(fullName(repo), v)
    case 'org':
    case 'user':
      return eq(repo.owner.login, v)
    case 'is':
    case 'type':
    case 'state':
      switch (v.toLowerCase()) {
        case 'pr':
        case 'pull-request':
          return Boolean(pull)
        case 'issue':
          return !pull
        case 'open':
          return issue.state === 'open'
        case 'closed':
          return issue.state === 'closed'
        case 'merged':
          return Boolean(pull?.merged)
        case 'unmerged':
          return Boolean(pull) && issue.state === 'closed' && !pull?.merged
        case 'draft':
          return Boolean(pull?.draft)
        default:
          return false
      }
    case 'author':
      return eq(issue.user.login, v)
    case 'assignee':
      return issue.assignees.some((a) => eq(a.login, v))
    case 'label':
      return v.split(',').some((name) => issue.labels.some((l) => eq(l.name, name)))
    case 'no':
      return v === 'label'
        ? !issue.labels.length
        : v === 'assignee'
          ? !issue.assignees.length
          : v === 'milestone'
    case 'review-requested':
      return Boolean(pull?.requestedReviewers.some((u) => eq(u.login, v)))
    case 'reviewed-by':
      return Boolean(pull?.reviews.some((r) => eq(r.user.login, v) && r.state !== 'PENDING'))
    case 'review': {
      if (!pull) return false
      const states = latestReviewStates(issue)
      if (v === 'none') return !pull.reviews.some((r) => r.state !== 'PENDING')
      if (v === 'approved') return states.includes('APPROVED') && !states.includes('CHANGES_REQUESTED')
      if (v === 'changes_requested') return states.includes('CHANGES_REQUESTED')
      return v === 'required' && !states.includes('APPROVED')
    }
    case 'draft':
      return Boolean(pull) && pull?.draft === (v === 'true')
    case 'involves':
      return (
        eq(issue.user.login, v) ||
        issue.assignees.some((a) => eq(a.login, v)) ||
        issue.comments.some((c) => eq(c.user.login, v))
      )
    case 'commenter':
      return issue.comments.some((c) => eq(c.user.login, v))
    case 'created':
      return dateMatches(issue.createdAt, v)
    case 'updated':
      return dateMatches(issue.updatedAt, v)
    case 'closed':
      return Boolean(issue.closedAt) && dateMatches(issue.closedAt!, v)
    case 'in':
      return true
    default: {
      const word = (t.key ? `${t.key}:${v}` : v).toLowerCase()
      return `${issue.title}\n${issue.body ?? ''}`.toLowerCase().includes(word)
    }
  }
}

function search(ctx: Ctx): Response {
  const q = ctx.url.searchParams.get('q')
  if (!q?.trim())
    throw new HttpError(422, 'Validation Failed', {
      errors: [{ resource: 'Search', field: 'q', code: 'missing' }],
    })
  const all = parseQuery(q)
  // repo:/org:/user: set the scope: several of them widen it (OR); every other term narrows (AND).
  const isScope = (t: Term) => !t.negated && (t.key === 'repo' || t.key === 'org' || t.key === 'user')
  const scope = all.filter(isScope)
  const terms = all.filter((t) => !isScope(t))
  const hits: Hit[] = []
  for (const repo of ctx.state.repos.values()) {
    if (!canSee(ctx.principal, repo)) continue
    for (const issue of repo.issues.values()) {
      const hit = { repo, issue }
      if (scope.length && !scope.some((t) => matchTerm(hit, t))) continue
      if (terms.every((t) => matchTerm(hit, t) !== t.negated)) hits.push(hit)
    }
  }
  const sort = ctx.url.searchParams.get('sort')
  const order = ctx.url.searchParams.get('order') === 'asc' ? 'asc' : 'desc'
  const key = (h: Hit) =>
    sort === 'updated'
      ? h.issue.updatedAt
      : sort === 'comments'
        ? h.issue.comments.length
        : sort === 'created'
          ? h.issue.createdAt
          : h.issue.id
  const sorted = sortBy(hits, key, order)
  return paginate(
    ctx,
    sorted.map((h) => {
      // The search item's `body` is a string or absent, never null.
      const { body, ...item } = issueShape(ctx.base, h.repo, h.issue)
      return { ...item, ...(body === null ? {} : { body }), score: 1 }
    }),
    (items) => ({ total_count: sorted.length, incomplete_results: false, search_type: 'lexical', items }),
  )
}

export function searchRoutes(r: Router) {
  r.on('GET', '/search/issues', search)
}
