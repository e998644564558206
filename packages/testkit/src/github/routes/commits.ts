import { branches, changedFiles, commitInfo, revList } from '../git'
import { type Ctx, HttpError, json, notFound, numberParam, paginate, type Router, repoOf } from '../http'
import { commitShape, fullName } from '../shapes'
import type { GhRepo } from '../state'

function commitOf(ctx: Ctx, repo: GhRepo, ref: string) {
  const sha = ctx.state.resolveRef(repo, ref)
  const info = sha ? commitInfo(repo.gitDir, sha) : undefined
  if (!info) throw new HttpError(422, `No commit found for SHA: ${ref}`)
  return info
}

function branchShape(ctx: Ctx, repo: GhRepo, name: string, sha: string) {
  const api = `${ctx.base}/repos/${fullName(repo)}`
  return { name, commit: { sha, url: `${api}/commits/${sha}` }, protected: false }
}

export function commitRoutes(r: Router) {
  r.on('GET', '/repos/:owner/:repo/commits', (ctx) => {
    const repo = repoOf(ctx)
    const head = ctx.url.searchParams.get('sha') ?? repo.defaultBranch
    const sha = ctx.state.resolveRef(repo, head)
    if (!sha) throw notFound()
    return paginate(
      ctx,
      revList(repo.gitDir, sha).map((s) => commitShape(ctx.base, repo, commitInfo(repo.gitDir, s)!)),
    )
  })
  r.on('GET', '/repos/:owner/:repo/commits/:ref+', (ctx) => {
    const repo = repoOf(ctx)
    const info = commitOf(ctx, repo, ctx.params.ref!)
    const changed = changedFiles(repo.gitDir, info.sha)
    const files = [
      ...changed.added.map((filename) => ({ filename, status: 'added' })),
      ...changed.modified.map((filename) => ({ filename, status: 'modified' })),
      ...changed.removed.map((filename) => ({ filename, status: 'removed' })),
    ].map((f) => ({
      sha: info.tree,
      ...f,
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `${ctx.base}/${fullName(repo)}/blob/${info.sha}/${f.filename}`,
      raw_url: `${ctx.base}/${fullName(repo)}/raw/${info.sha}/${f.filename}`,
      contents_url: `${ctx.base}/repos/${fullName(repo)}/contents/${f.filename}?ref=${info.sha}`,
    }))
    return json({
      ...commitShape(ctx.base, repo, info),
      stats: { total: files.length, additions: files.length, deletions: 0 },
      files,
    })
  })
  r.on('GET', '/repos/:owner/:repo/pulls/:number/commits', (ctx) => {
    const repo = repoOf(ctx)
    const issue = ctx.state.issue(repo, numberParam(ctx))
    if (!issue?.pull) throw notFound()
    const shas = revList(repo.gitDir, issue.pull.head.sha, issue.pull.base.sha).reverse()
    return paginate(
      ctx,
      shas.map((s) => commitShape(ctx.base, repo, commitInfo(repo.gitDir, s)!)),
    )
  })
  r.on('GET', '/repos/:owner/:repo/branches', (ctx) => {
    const repo = repoOf(ctx)
    const all = [...branches(repo.gitDir)].sort(([a], [b]) => a.localeCompare(b))
    return paginate(
      ctx,
      all.map(([name, sha]) => branchShape(ctx, repo, name, sha)),
    )
  })
  r.on('GET', '/repos/:owner/:repo/branches/:branch+', (ctx) => {
    const repo = repoOf(ctx)
    const sha = branches(repo.gitDir).get(ctx.params.branch!)
    if (!sha) throw new HttpError(404, 'Branch not found')
    const api = `${ctx.base}/repos/${fullName(repo)}`
    return json({
      ...branchShape(ctx, repo, ctx.params.branch!, sha),
      commit: commitShape(ctx.base, repo, commitInfo(repo.gitDir, sha)!),
      _links: {
        self: `${api}/branches/${ctx.params.branch}`,
        html: `${ctx.base}/${fullName(repo)}/tree/${ctx.params.branch}`,
      },
      protection: {
        enabled: false,
        required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
      },
      protection_url: `${api}/branches/${ctx.params.branch}/protection`,
    })
  })
}
