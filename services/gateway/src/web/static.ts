import { join } from 'node:path'

/** The service's own routes (Elysia); every other non-API path is the web app's. */
const OPS = /^\/(health|ready|metrics|swagger)(\/|$)/
const ASSET = /^\/assets\/([A-Za-z0-9_-]+-[a-z0-9]+\.(?:js|css|map|svg|png|woff2))$/

const IMMUTABLE = 'public, max-age=31536000, immutable'
/** Agent output is untrusted: the page runs only its own scripts and talks only to its own origin. */
const SHELL_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
}

const notBuilt = () =>
  new Response(
    '<!doctype html><meta charset="utf-8"><title>Bosun</title><p>The web app is not built. Run <code>npm run dev</code> (it builds it), or <code>bun run build</code> in <code>packages/web</code>.</p>',
    { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } },
  )

/**
 * Serves the web app built into `dir` (packages/web's build): hashed files under `/assets/` cached forever
 * (gzipped when the browser takes it and the build left a `.gz`), and the HTML shell, never cached, for every
 * other GET outside `/api`, so deep links work. Answers undefined for what is not its to serve.
 */
export function webApp(dir: string) {
  return async (req: Request, pathname: string): Promise<Response | undefined> => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || OPS.test(pathname)) return undefined
    if (pathname.startsWith('/assets/')) {
      const name = ASSET.exec(pathname)?.[1]
      const file = name ? Bun.file(join(dir, 'assets', name)) : undefined
      if (!file || !(await file.exists()))
        return Response.json({ error: 'not_found', message: 'No such asset' }, { status: 404 })
      const headers: Record<string, string> = {
        'content-type': file.type,
        'cache-control': IMMUTABLE,
        vary: 'accept-encoding',
        'x-content-type-options': 'nosniff',
      }
      const gz = Bun.file(`${file.name}.gz`)
      if (/\bgzip\b/.test(req.headers.get('accept-encoding') ?? '') && (await gz.exists()))
        return new Response(gz, { headers: { ...headers, 'content-encoding': 'gzip' } })
      return new Response(file, { headers })
    }
    const shell = Bun.file(join(dir, 'index.html'))
    if (!(await shell.exists())) return notBuilt()
    return new Response(shell, { headers: SHELL_HEADERS })
  }
}
