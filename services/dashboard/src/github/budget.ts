import type { GqlRate } from './queries'

export type Resource = 'core' | 'graphql' | 'search'
export type Observed = { limit: number; remaining: number; resetAt: number; observedAt: number }

/**
 * What GitHub last said about each identity's rate limits (X-RateLimit-* on every answer, `rateLimit` in
 * GraphQL bodies). Reads spend from it: a refresh that would dip below the reserve is not made (the cache
 * answers, marked stale), and while points are scarce refreshes are spaced so what remains lasts to the reset.
 */
export function createBudget(opts: { reserve: number }) {
  const seen = new Map<string, Observed>()
  const key = (identity: string, resource: Resource) => `${identity}|${resource}`
  /** Small limits (tests, unusual plans) keep a tenth back, not more than the limit. */
  const floor = (o: Observed) => Math.min(opts.reserve, Math.floor(o.limit / 10))

  const current = (identity: string, resource: Resource): Observed | undefined => {
    const o = seen.get(key(identity, resource))
    if (!o || o.resetAt <= Date.now()) return undefined
    return o
  }

  const record = (identity: string, resource: Resource, o: Omit<Observed, 'observedAt'>) => {
    const k = key(identity, resource)
    const prev = seen.get(k)
    // Answers arrive out of order under concurrency: within a window the lowest remaining is the latest.
    if (prev && prev.resetAt === o.resetAt && prev.remaining < o.remaining) return
    if (seen.size > 20_000) seen.clear()
    seen.set(k, { ...o, observedAt: Date.now() })
  }

  return {
    fromHeaders(identity: string, headers: Headers) {
      const limit = Number(headers.get('x-ratelimit-limit'))
      const remaining = Number(headers.get('x-ratelimit-remaining'))
      const reset = Number(headers.get('x-ratelimit-reset'))
      const resource = headers.get('x-ratelimit-resource') as Resource | null
      if (!resource || !headers.has('x-ratelimit-remaining') || !(limit > 0) || !(reset > 0)) return
      record(identity, resource, { limit, remaining, resetAt: reset * 1000 })
    },
    fromGraphql(identity: string, rate: GqlRate | undefined) {
      if (!rate) return
      record(identity, 'graphql', {
        limit: rate.limit,
        remaining: rate.remaining,
        resetAt: Date.parse(rate.resetAt),
      })
    },
    /** Whether spending `cost` leaves the reserve untouched (unknown: yes, GitHub will say). */
    allows(identity: string, resource: Resource, cost: number): boolean {
      const o = current(identity, resource)
      return !o || o.remaining - cost >= floor(o)
    },
    /** Once half the points are spent: how long an answer costing `cost` is kept so the rest lasts to the reset. */
    maxAge(identity: string, resource: Resource, cost: number, maxAgeMs: number): number {
      const o = current(identity, resource)
      // Plenty left: the configured max age stands.
      if (!o || o.remaining > o.limit / 2) return maxAgeMs
      const spendable = Math.max(1, o.remaining - floor(o))
      return Math.max(maxAgeMs, ((o.resetAt - Date.now()) * cost) / spendable)
    },
    resetAt(identity: string, resource: Resource): number | undefined {
      return current(identity, resource)?.resetAt
    },
    observed(identity: string): Partial<Record<Resource, Observed>> {
      const out: Partial<Record<Resource, Observed>> = {}
      for (const r of ['core', 'graphql', 'search'] as const) {
        const o = current(identity, r)
        if (o) out[r] = o
      }
      return out
    },
    reserve: opts.reserve,
  }
}

export type Budget = ReturnType<typeof createBudget>
