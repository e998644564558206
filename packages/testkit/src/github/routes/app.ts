import { type Ctx, HttpError, json, notFound, paginate, type Router, readJson } from '../http'
import { APP_PERMISSIONS, appShape, installationShape, repoShape } from '../shapes'
import { type GhApp, type GhInstallation, type PermissionLevel, randomToken } from '../state'

function appOf(ctx: Ctx): GhApp {
  if (ctx.principal.kind !== 'app') throw new HttpError(401, 'A JSON web token could not be decoded')
  return ctx.principal.app
}

function installationById(ctx: Ctx): GhInstallation {
  appOf(ctx)
  const inst = ctx.state.installations.get(Number(ctx.params.id))
  if (!inst) throw notFound()
  return inst
}

const TOKEN_TTL_MS = 3600_000

/**
 * GitHub's `permissions` field: each one named must be granted to the App at that level or higher, else
 * 422; none asked for gives everything the App has. `metadata: read` comes with every token.
 */
function requestedPermissions(asked: Record<string, unknown> | undefined): Record<string, PermissionLevel> {
  if (asked === undefined) return { ...APP_PERMISSIONS }
  if (typeof asked !== 'object' || asked === null || Array.isArray(asked))
    throw new HttpError(422, 'Invalid request: permissions is not an object')
  const granted: Record<string, PermissionLevel> = { metadata: 'read' }
  for (const [name, level] of Object.entries(asked)) {
    const app = (APP_PERMISSIONS as Record<string, PermissionLevel>)[name]
    if ((level !== 'read' && level !== 'write') || !app || (level === 'write' && app !== 'write'))
      throw new HttpError(
        422,
        `The permissions requested are not granted to this installation: ${name}=${String(level)}`,
      )
    granted[name] = level
  }
  return granted
}

export function appRoutes(r: Router) {
  r.on('GET', '/app', (ctx) => json(appShape(ctx.base, appOf(ctx))))
  r.on('GET', '/app/installations', (ctx) => {
    const app = appOf(ctx)
    return paginate(
      ctx,
      [...ctx.state.installations.values()].map((i) => installationShape(ctx.base, i, app)),
    )
  })
  r.on('GET', '/app/installations/:id', (ctx) =>
    json(installationShape(ctx.base, installationById(ctx), ctx.state.app)),
  )
  r.on('GET', '/repos/:owner/:repo/installation', (ctx) => {
    const app = appOf(ctx)
    const repo = ctx.state.repo(`${ctx.params.owner}/${ctx.params.repo}`)
    if (!repo) throw notFound()
    return json(installationShape(ctx.base, ctx.state.installationOf(repo), app))
  })
  r.on('GET', '/orgs/:org/installation', (ctx) => {
    const app = appOf(ctx)
    const org = ctx.state.user(ctx.params.org!)
    if (org?.type !== 'Organization') throw notFound()
    return json(installationShape(ctx.base, ctx.state.installationFor(org), app))
  })
  r.on('POST', '/app/installations/:id/access_tokens', async (ctx) => {
    const inst = installationById(ctx)
    const body = await readJson<{
      repositories: string[]
      repository_ids: number[]
      permissions: Record<string, unknown>
    }>(ctx)
    const permissions = requestedPermissions(body.permissions)
    const own = [...ctx.state.repos.values()].filter((x) => x.owner.id === inst.account.id)
    let repoIds: Set<number> | undefined
    if (Array.isArray(body.repositories) || Array.isArray(body.repository_ids)) {
      // Names as GitHub takes them; `owner/name` is accepted too, for callers that pass the full name.
      const names = (body.repositories ?? []).map((n) =>
        String(n)
          .toLowerCase()
          .replace(/^[^/]+\//, ''),
      )
      const ids = body.repository_ids ?? []
      const picked = own.filter((x) => names.includes(x.name.toLowerCase()) || ids.includes(x.id))
      if (picked.length !== names.length + ids.length)
        throw new HttpError(
          422,
          'There is at least one repository that does not exist or is not accessible to the parent installation.',
        )
      repoIds = new Set(picked.map((x) => x.id))
    }
    const token = `ghs_${randomToken(27)}`
    const expiresAt = new Date(Date.now() + TOKEN_TTL_MS)
    ctx.state.installationTokens.set(token, {
      token,
      installationId: inst.id,
      repoIds,
      permissions,
      expiresAt,
    })
    const repos = repoIds ? own.filter((x) => repoIds.has(x.id)) : undefined
    return json(
      {
        token,
        expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions,
        repository_selection: repos ? 'selected' : 'all',
        ...(repos ? { repositories: repos.map((x) => repoShape(ctx.base, x)) } : {}),
      },
      201,
    )
  })
  r.on('GET', '/installation/repositories', (ctx) => {
    const p = ctx.principal
    if (p.kind !== 'installation') throw new HttpError(403, 'This endpoint requires an installation token')
    const repos = [...ctx.state.repos.values()].filter(
      (x) => x.owner.id === p.installation.account.id && (!p.token.repoIds || p.token.repoIds.has(x.id)),
    )
    return paginate(
      ctx,
      repos.map((x) => repoShape(ctx.base, x)),
      (page) => ({
        total_count: repos.length,
        repository_selection: p.token.repoIds ? 'selected' : 'all',
        repositories: page,
      }),
    )
  })
  r.on('DELETE', '/installation/token', (ctx) => {
    const p = ctx.principal
    if (p.kind !== 'installation') throw new HttpError(403, 'This endpoint requires an installation token')
    ctx.state.installationTokens.delete(p.token.token)
    return new Response(null, { status: 204 })
  })
}
