import type { Bucket } from './ratelimit'
import type { APP_PERMISSIONS } from './shapes'
import type {
  GhApp,
  GhInstallation,
  GhRepo,
  GhUser,
  GitHubState,
  InstallationToken,
  PermissionLevel,
} from './state'
import type { WebhookSender } from './webhooks'

/** Who is calling: a user token, an installation token, the App itself (JWT), or nobody. */
export type Principal =
  | { kind: 'user'; user: GhUser; key: string }
  | {
      kind: 'installation'
      token: InstallationToken
      installation: GhInstallation
      user: GhUser
      key: string
    }
  | { kind: 'app'; app: GhApp; key: string }
  | { kind: 'anonymous'; key: string }

export type Ctx = {
  req: Request
  url: URL
  base: string
  params: Record<string, string>
  principal: Principal
  state: GitHubState
  webhooks: WebhookSender
  /** The caller's rate-limit bucket for this request's resource; GraphQL charges its points to it. */
  rate: Bucket
  /** A repository a test made fail (`emulator.faults`): GitHub answers 502 or a GraphQL error for it. */
  failing(repo: GhRepo): boolean
}

type Handler = (ctx: Ctx) => Response | Promise<Response>
type Route = { method: string; pattern: RegExp; keys: string[]; handler: Handler }

/** Thrown by handlers; the server turns it into GitHub's error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export const ghError = (status: number, message: string, extra: Record<string, unknown> = {}) =>
  Response.json(
    { message, ...extra, documentation_url: 'https://docs.github.com/rest', status: String(status) },
    { status },
  )

export const notFound = () => new HttpError(404, 'Not Found')
export const invalid = (message: string, field?: string) =>
  new HttpError(422, message, field ? { errors: [{ resource: 'Issue', code: 'invalid', field }] } : {})

export class Router {
  private readonly routes: Route[] = []

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = []
    // `:name+` may span slashes (git refs such as `feature/x`).
    const source = path.replace(/:(\w+)(\+?)/g, (_, key: string, plus: string) => {
      keys.push(key)
      return plus ? '(.+)' : '([^/]+)'
    })
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler })
    return this
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const r of this.routes) {
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue
      const m = r.pattern.exec(path)
      if (!m) continue
      try {
        const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)]))
        return { handler: r.handler, params }
      } catch {
        return undefined
      }
    }
    return undefined
  }
}

export async function readJson<T extends object>(ctx: Ctx): Promise<Partial<T>> {
  const text = await ctx.req.text()
  if (!text) return {}
  try {
    const body = JSON.parse(text)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object')
    return body as Partial<T>
  } catch {
    throw new HttpError(400, 'Problems parsing JSON')
  }
}

/** The acting user as GitHub shows it in `sender`/`user`: the token's user or the App's bot. */
export function actor(ctx: Ctx): GhUser {
  const p = ctx.principal
  if (p.kind === 'user' || p.kind === 'installation') return p.user
  throw new HttpError(401, 'Requires authentication')
}

export function canSee(p: Principal, repo: GhRepo): boolean {
  if (p.kind === 'installation')
    return p.installation.account.id === repo.owner.id && (!p.token.repoIds || p.token.repoIds.has(repo.id))
  return !repo.private || p.kind === 'user'
}

/** The `:owner/:repo` of the path, or 404 for what this caller may not see (GitHub never says 403 there). */
export function repoOf(ctx: Ctx): GhRepo {
  const repo = ctx.state.repo(`${ctx.params.owner}/${ctx.params.repo}`)
  if (!repo || !canSee(ctx.principal, repo)) throw notFound()
  return repo
}

/** A repository the caller writes to; an installation token needs `write` on the permission the route is about. */
export function writableRepoOf(ctx: Ctx, permission: AppPermission): GhRepo {
  const repo = repoOf(ctx)
  if (ctx.principal.kind === 'anonymous') throw new HttpError(401, 'Requires authentication')
  if (ctx.principal.kind === 'app') throw new HttpError(403, 'Resource not accessible by integration')
  if (ctx.principal.kind === 'installation' && !tokenMay(ctx.principal.token, permission, 'write'))
    throw new HttpError(403, 'Resource not accessible by integration')
  return repo
}

export type AppPermission = keyof typeof APP_PERMISSIONS

/** True when the token's grant covers `level` of `permission` (`write` includes `read`). */
export function tokenMay(token: InstallationToken, permission: AppPermission, level: PermissionLevel) {
  const granted = token.permissions[permission]
  return granted === 'write' || granted === level
}

export const numberParam = (ctx: Ctx, key = 'number') => {
  const n = Number(ctx.params[key])
  if (!Number.isInteger(n) || n <= 0) throw notFound()
  return n
}

/** GitHub's page/per_page paging with a `Link` header (first/prev/next/last). */
export function paginate<T>(ctx: Ctx, items: T[], wrap?: (page: T[]) => unknown): Response {
  const perPage = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('per_page')) || 30))
  const page = Math.max(1, Number(ctx.url.searchParams.get('page')) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const slice = items.slice((page - 1) * perPage, page * perPage)
  const link = (p: number, rel: string) => {
    const u = new URL(ctx.url.pathname + ctx.url.search, ctx.base)
    u.searchParams.set('page', String(p))
    if (ctx.url.searchParams.has('per_page')) u.searchParams.set('per_page', String(perPage))
    return `<${u}>; rel="${rel}"`
  }
  const links = [
    ...(page > 1 ? [link(page - 1, 'prev')] : []),
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : []),
  ]
  const res = Response.json(wrap ? wrap(slice) : slice)
  if (links.length) res.headers.set('link', links.join(', '))
  return res
}

export const json = (body: unknown, status = 200) => Response.json(body, { status })
export const noContent = () => new Response(null, { status: 204 })

/** `since` filters as GitHub does: ISO 8601, else 422. */
export function sinceParam(ctx: Ctx): string | undefined {
  const since = ctx.url.searchParams.get('since')
  if (!since) return undefined
  const t = Date.parse(since)
  if (Number.isNaN(t)) throw invalid('Validation Failed', 'since')
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function sortBy<T>(items: T[], key: (t: T) => string | number, direction: 'asc' | 'desc'): T[] {
  const sign = direction === 'asc' ? 1 : -1
  return [...items].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -sign : x > y ? sign : 0
  })
}
