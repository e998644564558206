import { splitList } from './env'
import { forbidden } from './errors'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const SAME_ORIGIN_FETCH = new Set(['same-origin', 'none'])

/** The origins a browser may send cookie-authenticated writes from: the app's own and the extension's. */
export function browserOrigins(env: { BOSUN_PUBLIC_URL: string }, extensionOrigins: readonly string[]) {
  // An extension's origin (chrome-extension://id) has no URL origin of its own ("null"): it is taken as written.
  return [env.BOSUN_PUBLIC_URL, ...extensionOrigins]
    .map((o) => (/^https?:/i.test(o) ? new URL(o).origin : o.replace(/\/+$/, '')))
    .filter((o) => o !== 'null')
}

/**
 * Refuses a cookie-authenticated write or WebSocket upgrade a browser sent from a page of another origin.
 * SameSite=Lax keeps the cookie from other sites only: a page on another port or a sibling subdomain is the same
 * site. Browsers send `Origin` on every write and upgrade (`null` from sandboxed frames, refused) and
 * `Sec-Fetch-Site` on the rest; a request with neither is no browser's, so its cookie was not sent for it.
 */
export function assertSameOrigin(request: Request, allowed: ReadonlySet<string>): void {
  const upgrade = request.headers.get('upgrade')?.toLowerCase() === 'websocket'
  if (SAFE_METHODS.has(request.method) && !upgrade) return
  const origin = request.headers.get('origin')
  if (origin !== null) {
    if (allowed.has(origin)) return
    throw forbidden(`Requests from origin ${origin.slice(0, 200)} are not accepted with a session cookie`)
  }
  const site = request.headers.get('sec-fetch-site')
  if (site !== null && !SAME_ORIGIN_FETCH.has(site))
    throw forbidden('Cross-site requests are not accepted with a session cookie')
}

/** The auth guard's options from the common configuration. */
export function guardOptions(env: {
  BOSUN_PUBLIC_URL: string
  BOSUN_EXTENSION_ORIGINS: string
  BOSUN_RATE_FAILED_KEY_LOOKUPS: number
}) {
  return {
    browserOrigins: browserOrigins(env, splitList(env.BOSUN_EXTENSION_ORIGINS)),
    failedKeyLookupsPerMinute: env.BOSUN_RATE_FAILED_KEY_LOOKUPS,
  }
}
