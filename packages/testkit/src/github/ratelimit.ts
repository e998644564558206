export type Resource = 'core' | 'search' | 'graphql'

export type RateLimitConfig = { core: number; search: number; graphql: number; anonymous: number }
export const DEFAULT_LIMITS: RateLimitConfig = { core: 5000, search: 30, graphql: 5000, anonymous: 60 }
const WINDOW_MS: Record<Resource, number> = { core: 3600_000, search: 60_000, graphql: 3600_000 }

export type Bucket = { resource: Resource; limit: number; used: number; reset: number }

export const resourceOf = (path: string): Resource =>
  path.startsWith('/search/') ? 'search' : path === '/graphql' ? 'graphql' : 'core'

/** GitHub's primary rate limits: per caller and resource, a fixed window with a reset time. */
export class RateLimits {
  private readonly buckets = new Map<string, Bucket>()

  constructor(public config: RateLimitConfig = DEFAULT_LIMITS) {}

  bucket(key: string, resource: Resource): Bucket {
    const id = `${key}|${resource}`
    const now = Date.now()
    const existing = this.buckets.get(id)
    if (existing && existing.reset * 1000 > now) return existing
    const anonymous = key.startsWith('ip:')
    const limit = anonymous ? Math.min(this.config.anonymous, this.config[resource]) : this.config[resource]
    const fresh = { resource, limit, used: 0, reset: Math.ceil((now + WINDOW_MS[resource]) / 1000) }
    this.buckets.set(id, fresh)
    return fresh
  }

  reset() {
    this.buckets.clear()
  }
}

export const remaining = (b: Bucket) => Math.max(0, b.limit - b.used)

export function rateHeaders(b: Bucket): Record<string, string> {
  return {
    'x-ratelimit-limit': String(b.limit),
    'x-ratelimit-remaining': String(remaining(b)),
    'x-ratelimit-used': String(b.used),
    'x-ratelimit-reset': String(b.reset),
    'x-ratelimit-resource': b.resource,
  }
}

export const rateShape = (b: Bucket) => ({
  limit: b.limit,
  used: b.used,
  remaining: remaining(b),
  reset: b.reset,
})
