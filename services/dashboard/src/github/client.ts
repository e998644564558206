import { unavailable } from '@bosun/service-kit/errors'
import type { Budget } from './budget'
import { fromGitHub, GitHubMissing, rateLimited } from './errors'
import type { Freshness, Tag } from './freshness'
import type { GqlRate } from './queries'
import type { Reader } from './readers'

type Entry = {
  etag: string | null
  body: unknown
  next: string | null
  /** GitHub said it is not there (404, 410, ...): remembered like any answer, so it is not asked again. */
  missing?: GitHubMissing
  fetchedAt: number
  stamp: number
}

export type GitHubClientOptions = {
  apiUrl: string
  /** Requests in flight per GitHub identity (GitHub's secondary limits count concurrent requests per token). */
  concurrency: number
  /** How long a response is trusted without an event; then it is revalidated with If-None-Match. */
  maxAgeMs: number
  maxEntries: number
  freshness: Freshness
  budget: Budget
  fetch?: typeof fetch
}

const MAX_PAGES = 10
const USER_AGENT = 'bosun-dashboard'

const nextLink = (res: Response): string | null =>
  res.headers
    .get('link')
    ?.split(',')
    .map((part) => part.match(/<([^>]+)>\s*;\s*rel="next"/)?.[1])
    .find(Boolean) ?? null

/**
 * GitHub REST with a response cache per identity and URL. A fresh entry is answered from memory; a stale one is
 * revalidated with its ETag (a 304 costs no rate limit); identical concurrent reads share one request.
 */
export function createGitHubClient(opts: GitHubClientOptions) {
  const api = opts.apiUrl.replace(/\/+$/, '')
  const doFetch = opts.fetch ?? fetch
  const cache = new Map<string, Entry>()
  const inflight = new Map<string, Promise<Entry>>()
  const lanes = new Map<string, { active: number; waiting: Array<() => void> }>()

  /** Runs `fn` when the identity has a free slot; slots are handed over in arrival order. */
  const throttled = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let lane = lanes.get(key)
    if (!lane) {
      lane = { active: 0, waiting: [] }
      lanes.set(key, lane)
    }
    const l = lane
    if (l.active >= opts.concurrency) await new Promise<void>((resolve) => l.waiting.push(resolve))
    else l.active++
    try {
      return await fn()
    } finally {
      const next = l.waiting.shift()
      if (next) next()
      else if (--l.active === 0) lanes.delete(key)
    }
  }

  const send = async (
    reader: Reader,
    repo: string,
    init: { method: string; path: string; etag?: string | null; body?: unknown },
  ): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const token = await reader.token(repo)
      let res: Response
      try {
        res = await throttled(reader.key, () =>
          doFetch(`${api}${init.path}`, {
            method: init.method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/vnd.github+json',
              'x-github-api-version': '2022-11-28',
              'user-agent': USER_AGENT,
              ...(init.etag ? { 'if-none-match': init.etag } : {}),
              ...(init.body ? { 'content-type': 'application/json' } : {}),
            },
            body: init.body ? JSON.stringify(init.body) : undefined,
          }),
        )
      } catch {
        throw unavailable('GitHub is unreachable')
      }
      opts.budget.fromHeaders(reader.key, res.headers)
      // A cached token may have been replaced or revoked since: one retry with a fresh one.
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel()
        reader.forget(repo)
        continue
      }
      return res
    }
  }

  const store = (key: string, entry: Entry) => {
    cache.delete(key)
    cache.set(key, entry)
    if (cache.size > opts.maxEntries) {
      const oldest = cache.keys().next().value
      if (oldest !== undefined) cache.delete(oldest)
    }
    return entry
  }

  const isFresh = (e: Entry, tag: Tag) =>
    (tag === 'immutable' && !e.missing) ||
    (e.stamp === opts.freshness.stamp(tag) && Date.now() - e.fetchedAt < opts.maxAgeMs)

  const cached = (
    tag: Tag,
    key: string,
    load: (hit: Entry | undefined) => Promise<Omit<Entry, 'stamp' | 'fetchedAt'> | 'not-modified'>,
  ): Promise<Entry> => {
    const hit = cache.get(key)
    if (hit && isFresh(hit, tag)) return Promise.resolve(hit)
    const running = inflight.get(key)
    if (running) return running
    // Taken before the call: an event that lands while it runs leaves the entry stale, as it should.
    const stamp = opts.freshness.stamp(tag)
    const p = load(hit)
      .then((got) => {
        const base = got === 'not-modified' && hit ? hit : (got as Omit<Entry, 'stamp' | 'fetchedAt'>)
        return store(key, { ...base, stamp, fetchedAt: Date.now() })
      })
      .finally(() => inflight.delete(key))
    inflight.set(key, p)
    return p
  }

  const getEntry = (
    reader: Reader,
    repo: string,
    tag: Tag,
    path: string,
    shape: (body: unknown) => unknown,
  ) =>
    cached(tag, `${reader.key} GET ${path}`, async (hit) => {
      const res = await send(reader, repo, { method: 'GET', path, etag: hit?.etag })
      if (res.status === 304 && hit) return 'not-modified'
      if (!res.ok) {
        await res.body?.cancel()
        const err = fromGitHub(res, path, reader.kind)
        if (err instanceof GitHubMissing) return { etag: null, body: null, next: null, missing: err }
        throw err
      }
      return { etag: res.headers.get('etag'), body: shape(await res.json()), next: nextLink(res) }
    }).then((entry) => {
      if (entry.missing) throw entry.missing
      return entry
    })

  const relative = (url: string) => {
    if (url.startsWith(api)) return url.slice(api.length)
    const u = new URL(url)
    return `${u.pathname}${u.search}`
  }

  return {
    /**
     * One resource, kept as `shape` makes it (only the fields Bosun reads). `repo` picks the credential
     * (installation tokens are per repository).
     */
    async get<T>(
      reader: Reader,
      repo: string,
      tag: Tag,
      path: string,
      shape: (body: unknown) => T,
    ): Promise<T> {
      return (await getEntry(reader, repo, tag, path, shape)).body as T
    },

    /** Every page of a list, following `Link: rel="next"`; each page is cached and revalidated on its own. */
    async getAll<T>(
      reader: Reader,
      repo: string,
      tag: Tag,
      path: string,
      shape: (page: unknown) => T[],
    ): Promise<T[]> {
      const out: T[] = []
      let next: string | null = path
      for (let page = 0; next && page < MAX_PAGES; page++) {
        const entry: Entry = await getEntry(reader, repo, tag, next, shape)
        out.push(...(entry.body as T[]))
        next = entry.next ? relative(entry.next) : null
      }
      return out
    },

    /**
     * A GraphQL query, not cached here (GitHub offers no ETags for it; the pull-request store keeps what it
     * reads). A repository GitHub does not show the caller is GitHubMissing; its rate limit, rate_limited.
     */
    async query<T extends { rateLimit?: GqlRate }>(
      reader: Reader,
      repo: string,
      query: string,
      variables: Record<string, unknown>,
    ): Promise<T> {
      const res = await send(reader, repo, { method: 'POST', path: '/graphql', body: { query, variables } })
      if (!res.ok) {
        await res.body?.cancel()
        throw fromGitHub(res, '/graphql', reader.kind)
      }
      const body = (await res.json()) as {
        data?: T | null
        errors?: Array<{ type?: string; message?: string; path?: unknown[] }>
      }
      opts.budget.fromGraphql(reader.key, body.data?.rateLimit)
      // GraphQL reports its rate limit in the body of a 200.
      if (body.errors?.some((e) => e.type === 'RATE_LIMITED'))
        throw rateLimited(res, 'GitHub GraphQL rate limit')
      const failure = body.errors?.find((e) => e.type !== 'NOT_FOUND')
      if (failure || !body.data)
        throw unavailable(
          `GitHub GraphQL failed for ${repo}: ${failure?.message ?? body.errors?.[0]?.message ?? 'no data'}`,
        )
      if (body.errors?.some((e) => e.path?.length === 1)) throw new GitHubMissing(404, `/graphql (${repo})`)
      return body.data
    },

    /** Never cached: GitHub does not count `/rate_limit` against the limit. */
    async uncached<T>(reader: Reader, repo: string, path: string): Promise<T> {
      const res = await send(reader, repo, { method: 'GET', path })
      if (!res.ok) {
        await res.body?.cancel()
        throw fromGitHub(res, path, reader.kind)
      }
      return (await res.json()) as T
    },
  }
}

export type GitHubClient = ReturnType<typeof createGitHubClient>
