import {
  actor,
  type Ctx,
  HttpError,
  invalid,
  json,
  noContent,
  notFound,
  numberParam,
  paginate,
  type Router,
  readJson,
  repoOf,
  sinceParam,
  sortBy,
  writableRepoOf,
} from '../http'
import { commentShape, issueShape, labelShape } from '../shapes'
import type { GhIssue, GhRepo } from '../state'

function issueOf(ctx: Ctx, repo: GhRepo): GhIssue {
  const issue = ctx.state.issue(repo, numberParam(ctx))
  if (!issue) throw notFound()
  return issue
}

/** GitHub's issue filters: state, labels (all of), assignee/creator (`none`, `*`), since, sort, direction. */
function listIssues(ctx: Ctx): Response {
  const repo = repoOf(ctx)
  const q = ctx.url.searchParams
  const state = q.get('state') ?? 'open'
  const labels = (q.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean)
  const assignee = q.get('assignee')
  const creator = q.get('creator')?.toLowerCase()
  const since = sinceParam(ctx)
  const matches = (i: GhIssue) =>
    (state === 'all' || i.state === state) &&
    labels.every((l) => i.labels.some((x) => x.name.toLowerCase() === l)) &&
    (!assignee ||
      (assignee === 'none'
        ? i.assignees.length === 0
        : assignee === '*'
          ? i.assignees.length > 0
          : i.assignees.some((a) => a.login.toLowerCase() === assignee.toLowerCase()))) &&
    (!creator || i.user.login.toLowerCase() === creator) &&
    (!since || i.updatedAt >= since)
  const sort = q.get('sort') ?? 'created'
  const key = (i: GhIssue) =>
    sort === 'updated' ? i.updatedAt : sort === 'comments' ? i.comments.length : i.createdAt
  const items = sortBy(
    [...repo.issues.values()].filter(matches),
    key,
    q.get('direction') === 'asc' ? 'asc' : 'desc',
  )
  return paginate(
    ctx,
    items.map((i) => issueShape(ctx.base, repo, i)),
  )
}

const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v)
    ? v
        .map((x) => (typeof x === 'string' ? x : (x as { name?: string })?.name))
        .filter((x): x is string => !!x)
    : undefined

async function labelNames(ctx: Ctx): Promise<string[]> {
  const text = await ctx.req.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : {}
  } catch {
    throw new HttpError(400, 'Problems parsing JSON')
  }
  const names = stringList(Array.isArray(body) ? body : (body as { labels?: unknown }).labels)
  if (!names) throw invalid("Invalid request.\n\nFor 'links/0/schema', nil is not an array.", 'labels')
  return names
}

export function issueRoutes(r: Router) {
  r.on('GET', '/repos/:owner/:repo/issues', listIssues)
  r.on('POST', '/repos/:owner/:repo/issues', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const body = await readJson<{ title: string; body: string; labels: unknown; assignees: string[] }>(ctx)
    if (typeof body.title !== 'string' || !body.title) throw invalid('Validation Failed', 'title')
    const sender = actor(ctx)
    const issue = ctx.state.addIssue(
      `${repo.owner.login}/${repo.name}`,
      { title: body.title, body: body.body, author: sender.login },
      { notify: true, sender },
    )
    ctx.state.addLabels(repo, issue, stringList(body.labels) ?? [], { notify: true, sender })
    ctx.state.addAssignees(repo, issue, stringList(body.assignees) ?? [], { notify: true, sender })
    return json(issueShape(ctx.base, repo, issue), 201)
  })

  r.on('GET', '/repos/:owner/:repo/issues/comments', (ctx) => {
    const repo = repoOf(ctx)
    const since = sinceParam(ctx)
    const all = [...repo.issues.values()].flatMap((i) => i.comments.map((c) => ({ i, c })))
    const items = sortBy(
      all.filter(({ c }) => !since || c.updatedAt >= since),
      ({ c }) => (ctx.url.searchParams.get('sort') === 'updated' ? c.updatedAt : c.createdAt),
      ctx.url.searchParams.get('direction') === 'desc' ? 'desc' : 'asc',
    )
    return paginate(
      ctx,
      items.map(({ i, c }) => commentShape(ctx.base, repo, i, c)),
    )
  })
  const commentOf = (ctx: Ctx, repo: GhRepo) => {
    const id = Number(ctx.params.id)
    for (const i of repo.issues.values()) {
      const c = i.comments.find((x) => x.id === id)
      if (c) return { i, c }
    }
    throw notFound()
  }
  r.on('GET', '/repos/:owner/:repo/issues/comments/:id', (ctx) => {
    const repo = repoOf(ctx)
    const { i, c } = commentOf(ctx, repo)
    return json(commentShape(ctx.base, repo, i, c))
  })
  r.on('PATCH', '/repos/:owner/:repo/issues/comments/:id', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const { i, c } = commentOf(ctx, repo)
    const body = await readJson<{ body: string }>(ctx)
    if (typeof body.body !== 'string') throw invalid('Validation Failed', 'body')
    const from = c.body
    c.body = body.body
    c.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    ctx.state.onChange({
      event: 'issue_comment',
      action: 'edited',
      repo,
      issue: i,
      comment: c,
      sender: actor(ctx),
      changes: { body: { from } },
    })
    return json(commentShape(ctx.base, repo, i, c))
  })

  r.on('GET', '/repos/:owner/:repo/issues/:number', (ctx) => {
    const repo = repoOf(ctx)
    return json(issueShape(ctx.base, repo, issueOf(ctx, repo)))
  })
  r.on('PATCH', '/repos/:owner/:repo/issues/:number', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    const body = await readJson<{
      title: string
      body: string | null
      state: string
      state_reason: 'completed' | 'not_planned'
      labels: unknown
      assignees: unknown
    }>(ctx)
    if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed')
      throw invalid('Validation Failed', 'state')
    const opts = { notify: true, sender: actor(ctx) }
    ctx.state.editIssue(repo, issue, { title: body.title, body: body.body }, opts)
    const labels = stringList(body.labels)
    if (labels) {
      const want = new Set(labels.map((l) => l.toLowerCase()))
      for (const l of [...issue.labels])
        if (!want.has(l.name.toLowerCase())) ctx.state.removeLabel(repo, issue, l.name, opts)
      ctx.state.addLabels(repo, issue, labels, opts)
    }
    const assignees = stringList(body.assignees)
    if (assignees) {
      const want = new Set(assignees.map((l) => l.toLowerCase()))
      ctx.state.removeAssignees(
        repo,
        issue,
        issue.assignees.filter((a) => !want.has(a.login.toLowerCase())).map((a) => a.login),
        opts,
      )
      ctx.state.addAssignees(repo, issue, assignees, opts)
    }
    if (body.state === 'open' || body.state === 'closed')
      ctx.state.setIssueState(repo, issue, body.state, { ...opts, reason: body.state_reason })
    return json(issueShape(ctx.base, repo, issue))
  })

  r.on('GET', '/repos/:owner/:repo/issues/:number/comments', (ctx) => {
    const repo = repoOf(ctx)
    const issue = issueOf(ctx, repo)
    const since = sinceParam(ctx)
    return paginate(
      ctx,
      issue.comments
        .filter((c) => !since || c.updatedAt >= since)
        .map((c) => commentShape(ctx.base, repo, issue, c)),
    )
  })
  r.on('POST', '/repos/:owner/:repo/issues/:number/comments', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    const body = await readJson<{ body: string }>(ctx)
    if (typeof body.body !== 'string' || !body.body) throw invalid('Validation Failed', 'body')
    const sender = actor(ctx)
    const comment = ctx.state.addComment(
      `${repo.owner.login}/${repo.name}`,
      issue.number,
      { author: sender.login, body: body.body },
      { notify: true, sender },
    )
    return json(commentShape(ctx.base, repo, issue, comment), 201)
  })

  r.on('GET', '/repos/:owner/:repo/labels', (ctx) => {
    const repo = repoOf(ctx)
    return paginate(
      ctx,
      [...repo.labels.values()].map((l) => labelShape(ctx.base, repo, l)),
    )
  })
  r.on('POST', '/repos/:owner/:repo/labels', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const body = await readJson<{ name: string; color: string; description: string }>(ctx)
    if (typeof body.name !== 'string' || !body.name) throw invalid('Validation Failed', 'name')
    if (repo.labels.has(body.name.toLowerCase()))
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
      })
    const label = ctx.state.label(repo, body.name, {
      color: body.color?.replace(/^#/, ''),
      description: body.description,
    })
    return json(labelShape(ctx.base, repo, label), 201)
  })
  r.on('GET', '/repos/:owner/:repo/labels/:name', (ctx) => {
    const repo = repoOf(ctx)
    const label = repo.labels.get(ctx.params.name!.toLowerCase())
    if (!label) throw notFound()
    return json(labelShape(ctx.base, repo, label))
  })
  r.on('GET', '/repos/:owner/:repo/issues/:number/labels', (ctx) => {
    const repo = repoOf(ctx)
    return paginate(
      ctx,
      issueOf(ctx, repo).labels.map((l) => labelShape(ctx.base, repo, l)),
    )
  })
  r.on('POST', '/repos/:owner/:repo/issues/:number/labels', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    ctx.state.addLabels(repo, issue, await labelNames(ctx), { notify: true, sender: actor(ctx) })
    return json(issue.labels.map((l) => labelShape(ctx.base, repo, l)))
  })
  r.on('PUT', '/repos/:owner/:repo/issues/:number/labels', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    const names = await labelNames(ctx)
    const opts = { notify: true, sender: actor(ctx) }
    const want = new Set(names.map((n) => n.toLowerCase()))
    for (const l of [...issue.labels])
      if (!want.has(l.name.toLowerCase())) ctx.state.removeLabel(repo, issue, l.name, opts)
    ctx.state.addLabels(repo, issue, names, opts)
    return json(issue.labels.map((l) => labelShape(ctx.base, repo, l)))
  })
  r.on('DELETE', '/repos/:owner/:repo/issues/:number/labels/:name', (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    if (!ctx.state.removeLabel(repo, issue, ctx.params.name!, { notify: true, sender: actor(ctx) }))
      throw new HttpError(404, 'Label does not exist')
    return json(issue.labels.map((l) => labelShape(ctx.base, repo, l)))
  })
  r.on('DELETE', '/repos/:owner/:repo/issues/:number/labels', (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    const opts = { notify: true, sender: actor(ctx) }
    for (const l of [...issue.labels]) ctx.state.removeLabel(repo, issue, l.name, opts)
    return noContent()
  })

  r.on('POST', '/repos/:owner/:repo/issues/:number/assignees', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    const body = await readJson<{ assignees: unknown }>(ctx)
    ctx.state.addAssignees(repo, issue, stringList(body.assignees) ?? [], {
      notify: true,
      sender: actor(ctx),
    })
    return json(issueShape(ctx.base, repo, issue), 201)
  })
  r.on('DELETE', '/repos/:owner/:repo/issues/:number/assignees', async (ctx) => {
    const repo = writableRepoOf(ctx, 'issues')
    const issue = issueOf(ctx, repo)
    const body = await readJson<{ assignees: unknown }>(ctx)
    ctx.state.removeAssignees(repo, issue, stringList(body.assignees) ?? [], {
      notify: true,
      sender: actor(ctx),
    })
    return json(issueShape(ctx.base, repo, issue))
  })
}
