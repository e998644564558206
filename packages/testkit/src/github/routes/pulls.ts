import { mergeInto, revParse } from '../git'
import {
  actor,
  type Ctx,
  HttpError,
  invalid,
  json,
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
import { fullName, pullShape, pullSimpleShape, reviewCommentShape, reviewShape, userShape } from '../shapes'
import type { GhIssue, GhPull, GhRepo, ReviewState } from '../state'

type Pull = GhIssue & { pull: GhPull }

const pullsOf = (repo: GhRepo) => [...repo.issues.values()].filter((i): i is Pull => Boolean(i.pull))

function pullOf(ctx: Ctx, repo: GhRepo): Pull {
  const issue = ctx.state.issue(repo, numberParam(ctx))
  if (!issue?.pull) throw notFound()
  return issue as Pull
}

function listPulls(ctx: Ctx): Response {
  const repo = repoOf(ctx)
  const q = ctx.url.searchParams
  const state = q.get('state') ?? 'open'
  const head = q.get('head')
  const base = q.get('base')
  const sort = q.get('sort') ?? 'created'
  const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')
  const items = pullsOf(repo).filter(
    (p) =>
      (state === 'all' || p.state === state) &&
      (!head || `${repo.owner.login}:${p.pull.head.ref}`.toLowerCase() === head.toLowerCase()) &&
      (!base || p.pull.base.ref === base),
  )
  const sorted = sortBy(
    items,
    (p) => (sort === 'updated' ? p.updatedAt : p.createdAt),
    direction === 'asc' ? 'asc' : 'desc',
  )
  return paginate(
    ctx,
    sorted.map((p) => pullSimpleShape(ctx.base, repo, p)),
  )
}

const REVIEW_EVENTS: Record<string, ReviewState> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
}

function allReviewComments(pull: Pull) {
  return pull.pull.threads.flatMap((t) => t.comments)
}

export function pullRoutes(r: Router) {
  r.on('GET', '/repos/:owner/:repo/pulls', listPulls)
  r.on('POST', '/repos/:owner/:repo/pulls', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const body = await readJson<{ title: string; head: string; base: string; body: string; draft: boolean }>(
      ctx,
    )
    if (typeof body.title !== 'string' || !body.title) throw invalid('Validation Failed', 'title')
    const head = String(body.head ?? '').replace(/^[^:]+:/, '')
    const base = String(body.base ?? '')
    if (!revParse(repo.gitDir, `refs/heads/${head}`)) throw invalid('Validation Failed', 'head')
    if (!revParse(repo.gitDir, `refs/heads/${base}`)) throw invalid('Validation Failed', 'base')
    if (pullsOf(repo).some((p) => p.state === 'open' && p.pull.head.ref === head && p.pull.base.ref === base))
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner.login}:${head}.`,
          },
        ],
      })
    const sender = actor(ctx)
    const pull = ctx.state.addPull(
      fullName(repo),
      { title: body.title, body: body.body, head, base, draft: body.draft === true, author: sender.login },
      { notify: true, sender },
    ) as Pull
    return json(pullShape(ctx.base, repo, pull), 201)
  })

  r.on('GET', '/repos/:owner/:repo/pulls/comments', (ctx) => {
    const repo = repoOf(ctx)
    const since = sinceParam(ctx)
    const items = pullsOf(repo).flatMap((p) => allReviewComments(p).map((c) => ({ p, c })))
    return paginate(
      ctx,
      sortBy(
        items.filter(({ c }) => !since || c.updatedAt >= since),
        ({ c }) => c.createdAt,
        'asc',
      ).map(({ p, c }) => reviewCommentShape(ctx.base, repo, p, c)),
    )
  })

  r.on('GET', '/repos/:owner/:repo/pulls/:number', (ctx) => {
    const repo = repoOf(ctx)
    return json(pullShape(ctx.base, repo, pullOf(ctx, repo)))
  })
  r.on('PATCH', '/repos/:owner/:repo/pulls/:number', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const pull = pullOf(ctx, repo)
    const body = await readJson<{ title: string; body: string | null; state: string; base: string }>(ctx)
    const opts = { notify: true, sender: actor(ctx) }
    if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed')
      throw invalid('Validation Failed', 'state')
    if (body.base !== undefined) {
      const sha = revParse(repo.gitDir, `refs/heads/${body.base}`)
      if (!sha) throw invalid('Validation Failed', 'base')
      pull.pull.base = { ref: body.base, sha }
    }
    ctx.state.editIssue(repo, pull, { title: body.title, body: body.body }, opts)
    if (body.state === 'open' || body.state === 'closed') {
      if (pull.pull.merged) throw invalid('Validation Failed', 'state')
      ctx.state.setIssueState(repo, pull, body.state, opts)
    }
    return json(pullShape(ctx.base, repo, pull))
  })
  r.on('GET', '/repos/:owner/:repo/pulls/:number/merge', (ctx) => {
    const repo = repoOf(ctx)
    return pullOf(ctx, repo).pull.merged
      ? new Response(null, { status: 204 })
      : new Response(null, { status: 404 })
  })
  r.on('PUT', '/repos/:owner/:repo/pulls/:number/merge', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const pull = pullOf(ctx, repo)
    const body = await readJson<{ commit_title: string; sha: string }>(ctx)
    if (pull.state !== 'open' || pull.pull.draft) throw new HttpError(405, 'Pull Request is not mergeable')
    if (body.sha && body.sha !== pull.pull.head.sha)
      throw new HttpError(409, 'Head branch was modified. Review and try the merge again.')
    const title =
      body.commit_title ?? `Merge pull request #${pull.number} from ${repo.owner.login}/${pull.pull.head.ref}`
    const sha = mergeInto(repo.gitDir, pull.pull.base.ref, pull.pull.head.sha, title)
    if (!sha) throw new HttpError(405, 'Pull Request is not mergeable')
    ctx.state.mergePull(repo, pull, sha, { notify: true, sender: actor(ctx) })
    return json({ sha, merged: true, message: 'Pull Request successfully merged' })
  })

  r.on('GET', '/repos/:owner/:repo/pulls/:number/requested_reviewers', (ctx) => {
    const repo = repoOf(ctx)
    const pull = pullOf(ctx, repo)
    return json({ users: pull.pull.requestedReviewers.map((u) => userShape(ctx.base, u)), teams: [] })
  })
  r.on('POST', '/repos/:owner/:repo/pulls/:number/requested_reviewers', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const pull = pullOf(ctx, repo)
    const body = await readJson<{ reviewers: string[] }>(ctx)
    const logins = (Array.isArray(body.reviewers) ? body.reviewers : []).filter((l) => typeof l === 'string')
    if (logins.some((l) => !ctx.state.user(l)))
      throw new HttpError(
        422,
        'Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the repository.',
      )
    ctx.state.requestReviewers(repo, pull, logins, { notify: true, sender: actor(ctx) })
    return json(pullSimpleShape(ctx.base, repo, pull), 201)
  })
  r.on('DELETE', '/repos/:owner/:repo/pulls/:number/requested_reviewers', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const pull = pullOf(ctx, repo)
    const body = await readJson<{ reviewers: string[] }>(ctx)
    ctx.state.removeRequestedReviewers(repo, pull, Array.isArray(body.reviewers) ? body.reviewers : [], {
      notify: true,
      sender: actor(ctx),
    })
    return json(pullSimpleShape(ctx.base, repo, pull))
  })

  r.on('GET', '/repos/:owner/:repo/pulls/:number/reviews', (ctx) => {
    const repo = repoOf(ctx)
    const pull = pullOf(ctx, repo)
    return paginate(
      ctx,
      pull.pull.reviews.map((v) => reviewShape(ctx.base, repo, pull, v)),
    )
  })
  r.on('GET', '/repos/:owner/:repo/pulls/:number/reviews/:id', (ctx) => {
    const repo = repoOf(ctx)
    const pull = pullOf(ctx, repo)
    const review = pull.pull.reviews.find((v) => v.id === Number(ctx.params.id))
    if (!review) throw notFound()
    return json(reviewShape(ctx.base, repo, pull, review))
  })
  r.on('POST', '/repos/:owner/:repo/pulls/:number/reviews', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const pull = pullOf(ctx, repo)
    const body = await readJson<{
      body: string
      event: string
      commit_id: string
      comments: { path: string; line?: number; body: string }[]
    }>(ctx)
    const state = body.event ? REVIEW_EVENTS[body.event] : 'PENDING'
    if (!state) throw invalid('Validation Failed', 'event')
    const sender = actor(ctx)
    if (sender.id === pull.user.id && state !== 'COMMENTED' && state !== 'PENDING')
      throw new HttpError(422, 'Unprocessable Entity', {
        errors: [
          `Can not ${body.event === 'APPROVE' ? 'approve' : 'request changes on'} your own pull request`,
        ],
      })
    if ((state === 'CHANGES_REQUESTED' || state === 'COMMENTED') && !body.body && !body.comments?.length)
      throw new HttpError(422, 'Unprocessable Entity', { errors: ['Review body is required'] })
    const review = ctx.state.addReview(
      fullName(repo),
      pull.number,
      {
        author: sender.login,
        state,
        body: body.body,
        commitId: body.commit_id,
        comments: Array.isArray(body.comments) ? body.comments : [],
      },
      { notify: true, sender },
    )
    return json(reviewShape(ctx.base, repo, pull, review))
  })

  r.on('GET', '/repos/:owner/:repo/pulls/:number/comments', (ctx) => {
    const repo = repoOf(ctx)
    const pull = pullOf(ctx, repo)
    return paginate(
      ctx,
      allReviewComments(pull).map((c) => reviewCommentShape(ctx.base, repo, pull, c)),
    )
  })
  r.on('POST', '/repos/:owner/:repo/pulls/:number/comments', async (ctx) => {
    const repo = writableRepoOf(ctx, 'pull_requests')
    const pull = pullOf(ctx, repo)
    const body = await readJson<{ body: string; path: string; line: number; in_reply_to: number }>(ctx)
    if (typeof body.body !== 'string' || !body.body) throw invalid('Validation Failed', 'body')
    const sender = actor(ctx)
    const opts = { notify: true, sender }
    if (body.in_reply_to) {
      const thread = pull.pull.threads.find((t) => t.comments.some((c) => c.id === body.in_reply_to))
      if (!thread) throw notFound()
      const first = thread.comments[0]!
      const comment = ctx.state.addReviewComment(
        fullName(repo),
        pull.number,
        thread,
        { author: sender.login, body: body.body, path: first.path, line: first.line, inReplyTo: first.id },
        opts,
      )
      return json(reviewCommentShape(ctx.base, repo, pull, comment), 201)
    }
    if (typeof body.path !== 'string') throw invalid('Validation Failed', 'path')
    const thread = ctx.state.addThread(
      fullName(repo),
      pull.number,
      { author: sender.login, body: body.body, path: body.path, line: body.line },
      opts,
    )
    return json(reviewCommentShape(ctx.base, repo, pull, thread.comments[0]!), 201)
  })
}
