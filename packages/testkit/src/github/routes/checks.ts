import {
  type Ctx,
  HttpError,
  invalid,
  json,
  notFound,
  paginate,
  type Router,
  readJson,
  repoOf,
  writableRepoOf,
} from '../http'
import { checkRunShape, combinedState, fullName, repoShape, statusShape } from '../shapes'
import type { CheckConclusion, CheckStatus, GhIssue, GhPull, GhRepo, StatusState } from '../state'

type Pull = GhIssue & { pull: GhPull }
const pullsOf = (repo: GhRepo) => [...repo.issues.values()].filter((i): i is Pull => Boolean(i.pull))

const STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending']
const CONCLUSIONS = ['success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out', 'action_required']
const STATES = ['error', 'failure', 'pending', 'success']

function shaOf(ctx: Ctx, repo: GhRepo): string {
  const sha = ctx.state.resolveRef(repo, ctx.params.ref!)
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`)
  return sha
}

/** Check runs are written by GitHub Apps only, as on GitHub. */
function appRepoOf(ctx: Ctx): GhRepo {
  const repo = writableRepoOf(ctx, 'checks')
  if (ctx.principal.kind !== 'installation')
    throw new HttpError(403, 'You must authenticate via a GitHub App.')
  return repo
}

type CheckBody = {
  name: string
  head_sha: string
  status: string
  conclusion: string
  details_url: string
  external_id: string
  output: { title?: string; summary?: string; text?: string }
}

function checkFields(body: Partial<CheckBody>) {
  if (body.status !== undefined && !STATUSES.includes(body.status))
    throw invalid('Validation Failed', 'status')
  if (body.conclusion !== undefined && !CONCLUSIONS.includes(body.conclusion))
    throw invalid('Validation Failed', 'conclusion')
  return {
    status: body.status as CheckStatus | undefined,
    conclusion: body.conclusion as CheckConclusion | undefined,
  }
}

export function checkRoutes(r: Router) {
  r.on('POST', '/repos/:owner/:repo/check-runs', async (ctx) => {
    const repo = appRepoOf(ctx)
    const body = await readJson<CheckBody>(ctx)
    if (typeof body.name !== 'string' || !body.name) throw invalid('Validation Failed', 'name')
    if (typeof body.head_sha !== 'string' || !ctx.state.resolveRef(repo, body.head_sha))
      throw invalid('Validation Failed', 'head_sha')
    const run = ctx.state.addCheckRun(
      fullName(repo),
      {
        name: body.name,
        headSha: body.head_sha,
        ...checkFields(body),
        detailsUrl: body.details_url,
        externalId: body.external_id,
        output: body.output,
      },
      { notify: true, sender: ctx.principal.kind === 'installation' ? ctx.principal.user : undefined },
    )
    return json(checkRunShape(ctx.base, repo, run, pullsOf(repo)), 201)
  })
  r.on('GET', '/repos/:owner/:repo/check-runs/:id', (ctx) => {
    const repo = repoOf(ctx)
    const run = repo.checkRuns.find((c) => c.id === Number(ctx.params.id))
    if (!run) throw notFound()
    return json(checkRunShape(ctx.base, repo, run, pullsOf(repo)))
  })
  r.on('PATCH', '/repos/:owner/:repo/check-runs/:id', async (ctx) => {
    const repo = appRepoOf(ctx)
    const run = repo.checkRuns.find((c) => c.id === Number(ctx.params.id))
    if (!run) throw notFound()
    const body = await readJson<CheckBody>(ctx)
    ctx.state.updateCheckRun(
      repo,
      run,
      {
        name: body.name,
        ...checkFields(body),
        detailsUrl: body.details_url,
        externalId: body.external_id,
        output: body.output,
      },
      { notify: true, sender: ctx.principal.kind === 'installation' ? ctx.principal.user : undefined },
    )
    return json(checkRunShape(ctx.base, repo, run, pullsOf(repo)))
  })
  r.on('GET', '/repos/:owner/:repo/commits/:ref+/check-runs', (ctx) => {
    const repo = repoOf(ctx)
    const sha = shaOf(ctx, repo)
    const q = ctx.url.searchParams
    let runs = repo.checkRuns.filter(
      (c) =>
        c.headSha === sha &&
        (!q.get('check_name') || c.name === q.get('check_name')) &&
        (!q.get('status') || c.status === q.get('status')),
    )
    // filter=latest (the default) keeps the newest run of each name.
    if (q.get('filter') !== 'all')
      runs = runs.filter((c) => !runs.some((o) => o.name === c.name && o.id > c.id))
    runs = [...runs].sort((a, b) => b.id - a.id)
    return paginate(
      ctx,
      runs.map((c) => checkRunShape(ctx.base, repo, c, pullsOf(repo))),
      (page) => ({ total_count: runs.length, check_runs: page }),
    )
  })

  r.on('POST', '/repos/:owner/:repo/statuses/:sha', async (ctx) => {
    const repo = writableRepoOf(ctx, 'statuses')
    const sha = ctx.state.resolveRef(repo, ctx.params.sha!)
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.sha}`)
    const body = await readJson<{ state: string; target_url: string; description: string; context: string }>(
      ctx,
    )
    if (!body.state || !STATES.includes(body.state)) throw invalid('Validation Failed', 'state')
    const sender =
      ctx.principal.kind === 'installation' || ctx.principal.kind === 'user' ? ctx.principal.user : undefined
    const status = ctx.state.addStatus(
      fullName(repo),
      {
        sha,
        state: body.state as StatusState,
        context: body.context,
        description: body.description,
        targetUrl: body.target_url,
      },
      { notify: true, sender },
    )
    return json(statusShape(ctx.base, repo, status), 201)
  })
  r.on('GET', '/repos/:owner/:repo/commits/:ref+/statuses', (ctx) => {
    const repo = repoOf(ctx)
    const sha = shaOf(ctx, repo)
    const all = repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id)
    return paginate(
      ctx,
      all.map((s) => statusShape(ctx.base, repo, s)),
    )
  })
  r.on('GET', '/repos/:owner/:repo/commits/:ref+/status', (ctx) => {
    const repo = repoOf(ctx)
    const sha = shaOf(ctx, repo)
    const all = repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id)
    const latest = all.filter((s) => !all.some((o) => o.context === s.context && o.id > s.id))
    return paginate(
      ctx,
      latest.map((s) => statusShape(ctx.base, repo, s)),
      (page) => ({
        state: combinedState(latest),
        statuses: page,
        sha,
        total_count: latest.length,
        repository: repoShape(ctx.base, repo),
        commit_url: `${ctx.base}/repos/${fullName(repo)}/commits/${sha}`,
        url: `${ctx.base}/repos/${fullName(repo)}/commits/${sha}/status`,
      }),
    )
  })
}
