import { SESSION_COOKIE } from '@bosun/contracts/principal'
import { cors } from '@elysiajs/cors'
import { openapi } from '@elysiajs/openapi'
import { Elysia, t, ValidationError } from 'elysia'
import { AppError, invalid } from './errors'
import { errorFields, type Logger } from './log'
import { createMetrics } from './metrics'
import { nulPath, urlHasNul } from './nul'
import { cleanOpenApi } from './openapi-clean'

export type ServiceAppOptions = {
  name: string
  version: string
  description: string
  logger: Logger
  extensionOrigins: string[]
  /** Named readiness checks; `/ready` answers 503 when any fails. */
  ready: Record<string, () => Promise<unknown>>
  /** Largest request body accepted, checked from Content-Length before the body is read. */
  maxBodyBytes?: number
  /** Larger limits for exact paths (a webhook ingress takes 25 MB); the route must count a chunked body itself. */
  maxBodyBytesByPath?: Record<string, number>
  /**
   * GET answers tried before the framework, by route path (the route must also exist in the app): when one
   * can answer at once from memory it returns the Response, else `undefined` and the route runs as usual.
   * The route's errors, CORS and validation stay the route's; a request carrying an Origin always goes there.
   */
  fastGets?: Record<string, (request: Bun.BunRequest) => Response | undefined>
  /** Exact paths whose route reads the raw body itself (`parse: 'none'`): any content type reaches it. */
  rawBodyPaths?: string[]
  /** Gauges of the service's own, read when /metrics is rendered. */
  gauges?: Record<string, () => number>
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/
/** Whether a request carries a body: a Content-Length over 0, or a chunked one. */
const hasBody = (request: Request) => {
  const length = request.headers.get('content-length')
  return length !== null ? length !== '0' : request.headers.has('transfer-encoding')
}
const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i
const requestIdOf = (request: Request) => {
  const given = request.headers.get('x-request-id')
  return given && REQUEST_ID.test(given) ? given : nextRequestId()
}
/**
 * Generated request ids: this process's own UUIDv7 and a counter. Unique across processes and restarts like a
 * UUID per request, ordered within the process, and a string concatenation instead of a random draw.
 */
const PROCESS_ID = Bun.randomUUIDv7()
let requestCount = 0
const nextRequestId = () => `${PROCESS_ID}-${(++requestCount).toString(36)}`
const json = (status: number, body: unknown, requestId?: string) =>
  new Response(JSON.stringify(body), {
    status,
    headers: requestId
      ? { 'content-type': 'application/json', 'x-request-id': requestId }
      : { 'content-type': 'application/json' },
  })

/** Errors of requests whose body was left unread: their answer closes the connection instead of draining it. */
const unreadBody = new WeakSet<object>()

/** Marks an error thrown before the request's body was read; its answer closes the connection. */
export function leftBodyUnread<E extends object>(error: E): E {
  unreadBody.add(error)
  return error
}

/**
 * What the hooks of one request share. Elysia hands every lifecycle hook the same context object, so it
 * rides there (a WeakMap keyed by the Request cost more than the route it measured). Hooks read it as
 * `(ctx as Tracked).bosunRequest`, never by passing `ctx` on: Elysia reads each hook's source to decide which
 * parts of the context to build, and a context handed to a function makes it build all of them.
 */
type TrackedRequest = { id: string; at: number; done?: boolean }
type Tracked = { bosunRequest?: TrackedRequest }

/** The status an answer goes out with: a Response's own, else what the route set (200 by default). */
const statusOf = (response: unknown, status: unknown) =>
  response instanceof Response ? response.status : typeof status === 'number' ? status : 200

/** Puts the request id on a Response; a Response with immutable headers (a proxied fetch) gets it via `set`. */
function withId(response: Response, id: string | undefined, set?: { headers: Record<string, unknown> }) {
  if (!id) return response
  try {
    response.headers.set('x-request-id', id)
  } catch {
    if (set) set.headers['x-request-id'] = id
  }
  return response
}

/**
 * The base every service builds on: OpenAPI at /swagger, one error shape, request ids, one JSON log line
 * per request, Prometheus metrics, health and readiness, CORS for the extension origins only.
 */
export function createServiceApp(opts: ServiceAppOptions) {
  const metrics = createMetrics(opts.name, opts.gauges)
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024
  const rawBodyPaths = new Set(opts.rawBodyPaths)

  /** Counts and logs a request once, with the status of its answer. */
  const finish = (tracked: TrackedRequest, method: string, route: string | undefined, status: number) => {
    if (tracked.done) return
    tracked.done = true
    const seconds = (performance.now() - tracked.at) / 1000
    const path = route || 'unmatched'
    metrics.observe(method, path, status, seconds)
    if (!opts.logger.enabled('info')) return
    opts.logger.info('request', {
      requestId: tracked.id,
      method,
      route: path,
      status,
      ms: Math.round(seconds * 10000) / 10,
    })
  }

  /** The one error shape for whatever a request failed with. */
  const errorResponse = (code: unknown, error: unknown, id: string | undefined): Response => {
    if (error instanceof AppError) {
      const res = json(error.status, error.toBody(), id)
      if (unreadBody.has(error)) res.headers.set('connection', 'close')
      const wait = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
      if (error.code === 'rate_limited' && typeof wait === 'number')
        res.headers.set('retry-after', String(wait))
      return res
    }
    if (error instanceof ValidationError || code === 'VALIDATION') {
      const v = error as ValidationError
      if (v.type === 'response') {
        opts.logger.error('response failed its schema', { requestId: id, ...errorFields(error) })
        return json(500, { error: 'internal', message: 'Internal error' }, id)
      }
      // Array (repeatable) query fields fail in TypeBox's decode step, whose error carries one item, not `all`.
      const items: unknown[] = Array.isArray(v.all) ? v.all : [(error as { error?: unknown }).error]
      const where = v.type ?? 'request'
      const details = items.map((e) => {
        const item = (e ?? {}) as { path?: string; message?: string; summary?: string }
        return { in: where, path: item.path || '/', message: item.message ?? item.summary ?? 'invalid' }
      })
      return json(400, { error: 'invalid_request', message: `Invalid ${where}`, details }, id)
    }
    if (code === 'PARSE')
      return json(400, { error: 'invalid_request', message: 'Body could not be parsed' }, id)
    if (code === 'NOT_FOUND') return json(404, { error: 'not_found', message: 'No such route' }, id)
    opts.logger.error('unhandled error', { requestId: id, ...errorFields(error) })
    return json(500, { error: 'internal', message: 'Internal error' }, id)
  }

  /**
   * A fast answer goes out synchronously. Bun sends a Response returned at once without the bookkeeping of a
   * pending one; every Elysia route with an awaited hook returns a Promise, and that alone cost a cached
   * snapshot read about as much CPU as the rest of its work.
   */
  const fastRoute = (
    route: string,
    answer: (request: Bun.BunRequest) => Response | undefined,
  ): { GET: (request: Bun.BunRequest) => Response | Promise<Response> } => ({
    GET: (request) => {
      const at = performance.now()
      const response = request.headers.has('origin') ? undefined : answer(request)
      if (!response) return app.handle(request)
      const id = requestIdOf(request)
      response.headers.set('x-request-id', id)
      finish({ id, at }, 'GET', route, response.status)
      return response
    },
  })

  const app = new Elysia({
    name: `bosun-${opts.name}-base`,
    serve: {
      routes: {
        // Bun answers the liveness probe natively, before any JavaScript runs: it proves the process serves
        // HTTP and costs nothing under load. Probes are noise, so /health is neither logged nor counted.
        '/health': { GET: Response.json({ status: 'ok' }) },
        ...Object.fromEntries(
          Object.entries(opts.fastGets ?? {}).map(([route, answer]) => [route, fastRoute(route, answer)]),
        ),
      },
    },
  })
    // Registered before the OpenAPI plugin so it applies to the plugin's /swagger/json route. Every answer that is
    // not an error passes here once, after response validation, so it also counts and logs the request: an
    // after-response hook costs every request a setImmediate (in-process, a snapshot read took 22 µs of CPU with
    // one and 10 µs with this). It stays synchronous. A returned Response gets the request id on its own headers: through `set.headers`, Elysia
    // would copy every returned Response into a new one to merge them.
    .mapResponse({ as: 'global' }, (ctx) => {
      const response = ctx.response
      const tracked = (ctx as Tracked).bosunRequest
      const id = tracked?.id
      // The plugin's spec route returns the spec object; it is cleaned up here, once per request for it.
      const mapped =
        ctx.path === '/swagger/json' && !(response instanceof Response)
          ? withId(Response.json(cleanOpenApi(response)), id)
          : undefined
      const final = mapped ?? response
      if (tracked) finish(tracked, ctx.request.method, ctx.route, statusOf(final, ctx.set.status))
      if (!id || mapped) return mapped
      if (final instanceof Response) withId(final, id, ctx.set)
      else ctx.set.headers['x-request-id'] = id
    })
    // Without extension origins no request gets CORS headers, so the plugin's per-request hook is skipped.
    .use(
      opts.extensionOrigins.length
        ? cors({
            origin: opts.extensionOrigins,
            credentials: true,
            allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
            exposeHeaders: ['x-request-id'],
          })
        : new Elysia({ name: 'bosun-no-cors' }),
    )
    .use(
      openapi({
        path: '/swagger',
        specPath: '/swagger/json',
        provider: 'swagger-ui',
        exclude: { paths: ['/swagger', '/swagger/json'] },
        documentation: {
          info: { title: `Bosun ${opts.name}`, version: opts.version, description: opts.description },
          servers: [{ url: '/' }],
          components: {
            securitySchemes: {
              session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
              bearer: { type: 'http', scheme: 'bearer', description: 'A psnip_ API key or a session JWT' },
            },
          },
          security: [{ session: [] }, { bearer: [] }],
        },
      }),
    )
    .onRequest((ctx) => {
      const request = ctx.request
      const id = requestIdOf(request)
      const tracked = { id, at: performance.now() }
      ;(ctx as Tracked).bosunRequest = tracked
      // Bodies are JSON wherever a schema describes one: a form or text body is what a page of another site can
      // send without asking (no CORS preflight), so it is refused before it is read. Checked here, not in a parse
      // hook: a parse hook of ours would hide every route's request body from the OpenAPI description.
      if (hasBody(request) && !JSON_TYPE.test(request.headers.get('content-type') ?? '')) {
        if (!rawBodyPaths.has(new URL(request.url).pathname)) {
          const body = { error: 'unsupported_media_type', message: 'Send the body as application/json' }
          const res = json(415, body, id)
          res.headers.set('connection', 'close')
          finish(tracked, request.method, undefined, 415)
          return res
        }
      }
      if (urlHasNul(request.url)) {
        const details = [{ in: 'url', path: '/', message: 'contains a NUL character' }]
        finish(tracked, request.method, undefined, 400)
        return json(400, { error: 'invalid_request', message: 'Invalid URL', details }, id)
      }
      const length = Number(request.headers.get('content-length') ?? 0)
      if (length > maxBody) {
        const limit = opts.maxBodyBytesByPath?.[new URL(request.url).pathname] ?? maxBody
        if (length > limit) {
          const res = json(413, { error: 'payload_too_large', message: `Body over ${limit} bytes` }, id)
          // The body is never read, so the connection must not be reused (it would also hold up a graceful stop).
          res.headers.set('connection', 'close')
          finish(tracked, request.method, undefined, 413)
          return res
        }
      }
    })
    // After validation (so an anonymous caller has had its 401): a NUL would be cut off where it is stored.
    .onBeforeHandle({ as: 'global' }, ({ body }) => {
      const nul = typeof body === 'object' && body !== null ? nulPath(body) : undefined
      if (nul !== undefined)
        throw invalid('Invalid body', [{ in: 'body', path: nul, message: 'contains a NUL character' }])
    })
    // Every answer here is built with the request id, so nothing goes through `set.headers`.
    .onError({ as: 'global' }, (ctx) => {
      const tracked = (ctx as Tracked).bosunRequest
      // The client went away (mid-upload, say): nobody reads the answer, and it is no fault of ours. Counted as
      // 499, nginx's "client closed request", never as a 500.
      const response = ctx.request.signal.aborted
        ? json(499, { error: 'invalid_request', message: 'The client closed the request' }, tracked?.id)
        : errorResponse(ctx.code, ctx.error, tracked?.id)
      if (tracked) finish(tracked, ctx.request.method, ctx.route, response.status)
      return response
    })
    .get('/health', () => ({ status: 'ok' as const }), {
      detail: { operationId: `${opts.name}Health`, tags: ['ops'], summary: 'Alive', security: [] },
      response: t.Object({ status: t.Literal('ok') }),
    })
    .get(
      '/ready',
      async ({ set }) => {
        const checks: Record<string, boolean> = {}
        await Promise.all(
          Object.entries(opts.ready).map(async ([name, check]) => {
            checks[name] = await check().then(
              () => true,
              () => false,
            )
          }),
        )
        const ok = Object.values(checks).every(Boolean)
        if (!ok) set.status = 503
        return { status: ok ? ('ready' as const) : ('unavailable' as const), checks }
      },
      {
        detail: {
          operationId: `${opts.name}Ready`,
          tags: ['ops'],
          summary: 'Database and NATS reachable',
          security: [],
        },
        response: {
          200: t.Object({ status: t.Literal('ready'), checks: t.Record(t.String(), t.Boolean()) }),
          503: t.Object({ status: t.Literal('unavailable'), checks: t.Record(t.String(), t.Boolean()) }),
        },
      },
    )
    .get(
      '/metrics',
      ({ set }) => {
        set.headers['content-type'] = 'text/plain; version=0.0.4'
        return metrics.render()
      },
      {
        detail: {
          operationId: `${opts.name}Metrics`,
          tags: ['ops'],
          summary: 'Prometheus metrics',
          security: [],
        },
        response: t.String(),
      },
    )
  return app
}
