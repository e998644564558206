import { generateKeyPair } from 'node:crypto'
import { rmSync } from 'node:fs'
import { promisify } from 'node:util'
import { importSPKI } from 'jose'
import { tempDir } from '../wait'
import { credential, principalOf } from './auth'
import { isGitPath, serveGit } from './githttp'
import { type Ctx, ghError, HttpError, type Principal, Router } from './http'
import { accessToken, authorize } from './oauth'
import {
  type Bucket,
  DEFAULT_LIMITS,
  type RateLimitConfig,
  RateLimits,
  rateHeaders,
  rateShape,
  remaining,
  resourceOf,
} from './ratelimit'
import { appRoutes } from './routes/app'
import { checkRoutes } from './routes/checks'
import { commitRoutes } from './routes/commits'
import { graphqlRoutes } from './routes/graphql'
import { issueRoutes } from './routes/issues'
import { pullRoutes } from './routes/pulls'
import { repoRoutes } from './routes/repos'
import { searchRoutes } from './routes/search'
import { userRoutes } from './routes/users'
import { seedDemo } from './seed'
import { seedLarge } from './seed-large'
import { fullName } from './shapes'
import { type GhRepo, GitHubState, iso } from './state'
import { type Delivery, WebhookSender } from './webhooks'

export type RequestLogEntry = {
  method: string
  path: string
  query: string
  status: number
  /** The credential the call carried, if any. */
  token?: string
}

export type GitHubEmulator = {
  url: string
  state: GitHubState
  oauthClient: { clientId: string; clientSecret: string }
  /** The registered GitHub App: what GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY are set to (PKCS#8 PEM). */
  app: { appId: string; privateKey: string; slug: string; clientId: string }
  /** Every API and git call, in order. */
  requests: RequestLogEntry[]
  /** Every webhook sent, with the receiver's answer or the error. */
  deliveries: Delivery[]
  setWebhook(url: string, secret: string): void
  /** Re-sends a delivery with the same body and `X-GitHub-Delivery`, as GitHub's redelivery does. */
  redeliver(deliveryId: string): Promise<Delivery>
  /** Resolves when every webhook sent so far has been answered or has failed. */
  webhooksSettled(): Promise<void>
  rateLimits: RateLimits
  /** Repositories (full names, lower case) whose every API call fails with this status, as an outage would. */
  faults: Map<string, number>
  /** Milliseconds every API answer is held back, as when GitHub is far away; settable at any time. */
  latencyMs: number
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export type EmulatorOptions = {
  port?: number
  oauth?: { clientId: string; clientSecret: string }
  seed?: 'demo' | 'large' | 'none'
  /** Milliseconds every API answer is held back (e.g. 150, the real API from far away). */
  latencyMs?: number
  webhook?: { url: string; secret: string }
  rateLimit?: Partial<RateLimitConfig>
}

export const DEMO_USERS = ['octo-admin', 'octo-dev', 'octo-new'] as const

const router = new Router()
// Order matters once: check routes come before `commits/:ref+`, which would swallow `commits/:ref/status`.
for (const routes of [
  userRoutes,
  repoRoutes,
  issueRoutes,
  pullRoutes,
  checkRoutes,
  commitRoutes,
  searchRoutes,
  appRoutes,
  graphqlRoutes,
])
  routes(router)

async function registerApp(state: GitHubState) {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  const slug = 'bosun-emulator'
  const bot = state.addUser(`${slug}[bot]`, { type: 'Bot' })
  state.app = {
    id: state.id(),
    slug,
    name: 'Bosun (emulator)',
    clientId: `Iv1.${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}`,
    owner: bot,
    bot,
    privateKey,
    publicKey: await importSPKI(publicKey, 'RS256'),
    createdAt: iso(),
  }
}

/** GitHub answers conditional requests with a weak ETag of the body; a 304 costs no rate limit. */
async function etagOf(res: Response): Promise<{ body: ArrayBuffer; etag: string }> {
  const body = await res.arrayBuffer()
  const hash = new Bun.CryptoHasher('sha256').update(body).digest('hex').slice(0, 32)
  return { body, etag: `W/"${hash}"` }
}

const matchesEtag = (header: string | null, etag: string) =>
  !!header &&
  header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(etag.replace(/^W\//, ''))

/**
 * A real HTTP server that answers like github.com (OAuth, git smart HTTP) and api.github.com (REST, the
 * GraphQL API over GitHub's published schema) at one root, for what Bosun uses, and sends GitHub App webhooks.
 */
export async function startGitHubEmulator(opts: EmulatorOptions = {}): Promise<GitHubEmulator> {
  const gitDir = tempDir('bosun-github-')
  const state = new GitHubState(gitDir.path)
  await registerApp(state)
  const oauth = opts.oauth ?? { clientId: 'bosun-dev', clientSecret: 'bosun-dev-secret' }
  state.oauthApps.set(oauth.clientId, oauth)
  if (opts.seed === 'demo') seedDemo(state)
  if (opts.seed === 'large') seedLarge(state)
  const faults = new Map<string, number>()
  const failing = (repo: GhRepo) => faults.has(fullName(repo).toLowerCase())
  const limits = new RateLimits({ ...DEFAULT_LIMITS, ...opts.rateLimit })
  const requests: RequestLogEntry[] = []
  let url = ''
  const webhooks = new WebhookSender(state, () => url)
  if (opts.webhook) webhooks.set(opts.webhook.url, opts.webhook.secret)
  state.onChange = (change) => webhooks.send(change)

  const api = async (req: Request, reqUrl: URL, ip: string, token: string | undefined): Promise<Response> => {
    const base = `${reqUrl.protocol}//${reqUrl.host}`
    let principal: Principal
    try {
      principal = await principalOf(state, token, ip)
    } catch (err) {
      if (err instanceof HttpError) return ghError(err.status, err.message)
      throw err
    }
    const path = reqUrl.pathname.replace(/\/+$/, '') || '/'
    const bucket = limits.bucket(principal.key, resourceOf(path))
    const withRate = (res: Response, b: Bucket = bucket) => {
      for (const [k, v] of Object.entries(rateHeaders(b))) res.headers.set(k, v)
      res.headers.set('x-github-api-version-selected', '2022-11-28')
      res.headers.set('x-github-media-type', 'github.v3; format=json')
      res.headers.set('x-github-request-id', crypto.randomUUID().toUpperCase())
      return res
    }
    if (path === '/rate_limit' && req.method === 'GET') {
      const resources = {
        core: rateShape(limits.bucket(principal.key, 'core')),
        search: rateShape(limits.bucket(principal.key, 'search')),
        graphql: rateShape(limits.bucket(principal.key, 'graphql')),
      }
      return withRate(
        Response.json({ resources, rate: resources.core }),
        limits.bucket(principal.key, 'core'),
      )
    }
    const conditional = req.method === 'GET' && req.headers.has('if-none-match')
    if (remaining(bucket) === 0 && !conditional) return withRate(exceeded(principal, bucket))

    const match = router.match(req.method, path)
    const fault = faults.get(/^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1]?.toLowerCase() ?? '')
    let res: Response
    if (fault) res = ghError(fault, 'Server Error')
    else if (!match) res = ghError(404, 'Not Found')
    else {
      const ctx: Ctx = {
        req,
        url: reqUrl,
        base,
        params: match.params,
        principal,
        state,
        webhooks,
        rate: bucket,
        failing,
      }
      try {
        res = await match.handler(ctx)
      } catch (err) {
        if (err instanceof HttpError) res = ghError(err.status, err.message, err.extra)
        else {
          // An emulator bug must show in the test output and still answer like GitHub's 500.
          console.error('GitHub emulator:', err)
          res = ghError(500, 'Server Error')
        }
      }
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && res.status === 200) {
      const { body, etag } = await etagOf(res)
      if (matchesEtag(req.headers.get('if-none-match'), etag))
        return withRate(new Response(null, { status: 304, headers: { etag } }))
      if (remaining(bucket) === 0) return withRate(exceeded(principal, bucket))
      const headers = new Headers(res.headers)
      headers.set('etag', etag)
      headers.set('cache-control', 'private, max-age=60, s-maxage=60')
      headers.set('vary', 'Accept, Authorization, Cookie, X-GitHub-OTP')
      res = new Response(req.method === 'HEAD' ? null : body, { status: 200, headers })
    }
    // GraphQL charges its points itself, before it runs.
    if (bucket.resource !== 'graphql') bucket.used++
    return withRate(res)
  }

  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname: '127.0.0.1',
    idleTimeout: 120,
    fetch: async (req, srv) => {
      const reqUrl = new URL(req.url)
      const token = credential(req)
      const ip = srv.requestIP(req)?.address ?? '?'
      let res: Response
      if (reqUrl.pathname === '/login/oauth/authorize' && req.method === 'GET') res = authorize(state, reqUrl)
      else if (reqUrl.pathname === '/login/oauth/access_token' && req.method === 'POST')
        res = await accessToken(state, req)
      else if (isGitPath(reqUrl.pathname)) res = await serveGit(state, req, reqUrl, ip)
      else res = await api(req, reqUrl, ip, token)
      if (emulator.latencyMs > 0) await Bun.sleep(emulator.latencyMs)
      requests.push({
        method: req.method,
        path: reqUrl.pathname,
        query: reqUrl.search,
        status: res.status,
        ...(token ? { token } : {}),
      })
      return res
    },
  })
  url = `http://127.0.0.1:${server.port}`
  const stop = async () => {
    await server.stop(true)
    rmSync(gitDir.path, { recursive: true, force: true })
  }
  const emulator: GitHubEmulator = {
    url,
    state,
    oauthClient: oauth,
    app: {
      appId: String(state.app.id),
      privateKey: state.app.privateKey,
      slug: state.app.slug,
      clientId: state.app.clientId,
    },
    requests,
    deliveries: webhooks.deliveries,
    setWebhook: (to, secret) => webhooks.set(to, secret),
    redeliver: (id) => webhooks.redeliver(id),
    webhooksSettled: () => webhooks.settled(),
    rateLimits: limits,
    faults,
    latencyMs: opts.latencyMs ?? 0,
    stop,
    [Symbol.asyncDispose]: stop,
  }
  return emulator
}

function exceeded(p: Principal, b: Bucket): Response {
  const who = p.kind === 'user' ? `user ID ${p.user.id}` : p.kind === 'anonymous' ? p.key.slice(3) : p.key
  const res = ghError(403, `API rate limit exceeded for ${who}.`)
  res.headers.set('retry-after', String(Math.max(0, b.reset - Math.floor(Date.now() / 1000))))
  return res
}
