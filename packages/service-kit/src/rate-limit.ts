import { AppError } from './errors'

/** 429 with how long to wait, in `details` and (by the app factory) in `Retry-After`. */
export const rateLimited = (what: string, retryAfterSeconds: number) =>
  new AppError('rate_limited', `Too many ${what}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds })

const MAX_KEYS = 100_000

/**
 * At most `limit` events per key in a window of `windowMs` (a fixed window per key: simple, and a burst at a
 * window's edge is at most twice the limit). Keys are identities or client addresses; the map is bounded, and
 * when full it is cleared, which only ever lets callers through early.
 */
export function createRateLimit(opts: { limit: number; windowMs: number; what: string }) {
  const windows = new Map<string, { count: number; resetAt: number }>()
  const current = (key: string, now: number) => {
    const w = windows.get(key)
    if (w && w.resetAt > now) return w
    if (windows.size >= MAX_KEYS) windows.clear()
    const fresh = { count: 0, resetAt: now + opts.windowMs }
    windows.set(key, fresh)
    return fresh
  }
  const refuse = (w: { resetAt: number }, now: number) =>
    rateLimited(opts.what, Math.max(1, Math.ceil((w.resetAt - now) / 1000)))
  return {
    /** Throws 429 when the key has used its events in this window; counts nothing. */
    check(key: string) {
      const now = Date.now()
      const w = current(key, now)
      if (w.count >= opts.limit) throw refuse(w, now)
    },
    /** Counts one event for the key. */
    record(key: string) {
      current(key, Date.now()).count++
    },
    /** `check` then `record`. */
    take(key: string) {
      const now = Date.now()
      const w = current(key, now)
      if (w.count >= opts.limit) throw refuse(w, now)
      w.count++
    },
  }
}

/**
 * At most `max` held at once per key (open sockets of one person). `check` refuses before an upgrade; `hold`
 * counts one once the socket is open and returns its release, so an upgrade that never opens holds nothing.
 */
export function createConcurrencyLimit(opts: { max: number; what: string }) {
  const held = new Map<string, number>()
  return {
    check(key: string) {
      if ((held.get(key) ?? 0) >= opts.max) throw rateLimited(opts.what, 1)
    },
    hold(key: string): () => void {
      held.set(key, (held.get(key) ?? 0) + 1)
      let released = false
      return () => {
        if (released) return
        released = true
        const left = (held.get(key) ?? 1) - 1
        if (left <= 0) held.delete(key)
        else held.set(key, left)
      }
    },
  }
}

/**
 * The caller's address: the last `X-Forwarded-For` hop (the one the gateway, the only public entry, appended;
 * anything before it is the client's own say), else the socket's address.
 */
export function clientAddress(request: Request, socketAddress?: string): string {
  const forwarded = request.headers.get('x-forwarded-for')
  const last = forwarded?.split(',').at(-1)?.trim()
  return last || socketAddress || 'unknown'
}
