import {
  actor,
  type Ctx,
  canSee,
  HttpError,
  invalid,
  json,
  notFound,
  paginate,
  type Router,
  readJson,
  repoOf,
  sortBy,
} from '../http'
import { fullRepoShape, repoShape } from '../shapes'
import type { GhRepo, GhUser } from '../state'

function listFor(ctx: Ctx, owner: GhUser | undefined): Response {
  if (!owner) throw notFound()
  const repos = [...ctx.state.repos.values()].filter(
    (x) => x.owner.id === owner.id && canSee(ctx.principal, x),
  )
  return paginate(
    ctx,
    sortBy(repos, (x) => x.name.toLowerCase(), 'asc').map((x) => repoShape(ctx.base, x)),
  )
}

async function create(ctx: Ctx, owner: GhUser): Promise<Response> {
  const body = await readJson<{ name: string; description: string; private: boolean }>(ctx)
  if (typeof body.name !== 'string' || !/^[\w.-]{1,100}$/.test(body.name))
    throw invalid('Validation Failed', 'name')
  if (ctx.state.repo(`${owner.login}/${body.name}`))
    throw new HttpError(422, 'Repository creation failed.', {
      errors: [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name already exists on this account',
        },
      ],
    })
  const repo: GhRepo = ctx.state.addRepo(`${owner.login}/${body.name}`, {
    description: body.description,
    private: body.private,
  })
  return json(fullRepoShape(ctx.base, repo), 201)
}

export function repoRoutes(r: Router) {
  r.on('GET', '/repos/:owner/:repo', (ctx) => json(fullRepoShape(ctx.base, repoOf(ctx))))
  r.on('GET', '/orgs/:org/repos', (ctx) => {
    const org = ctx.state.user(ctx.params.org!)
    return listFor(ctx, org?.type === 'Organization' ? org : undefined)
  })
  r.on('GET', '/users/:login/repos', (ctx) => listFor(ctx, ctx.state.user(ctx.params.login!)))
  r.on('GET', '/user/repos', (ctx) => {
    const me = actor(ctx)
    const repos = [...ctx.state.repos.values()].filter(
      (x) => x.owner.id === me.id || x.owner.type === 'Organization',
    )
    return paginate(
      ctx,
      sortBy(repos, (x) => x.updatedAt, 'desc').map((x) => repoShape(ctx.base, x)),
    )
  })
  r.on('POST', '/user/repos', (ctx) => create(ctx, actor(ctx)))
  r.on('POST', '/orgs/:org/repos', (ctx) => {
    actor(ctx)
    const org = ctx.state.user(ctx.params.org!)
    if (org?.type !== 'Organization') throw notFound()
    return create(ctx, org)
  })
}
