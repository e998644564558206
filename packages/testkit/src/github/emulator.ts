import { accessToken, authorize } from './oauth'
import { ghError, privateUserShape, userShape } from './shapes'
import { GitHubState } from './state'

export type GitHubEmulator = {
  url: string
  state: GitHubState
  oauthClient: { clientId: string; clientSecret: string }
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export type EmulatorOptions = {
  port?: number
  oauth?: { clientId: string; clientSecret: string }
  seed?: 'demo' | 'none'
}

export const DEMO_USERS = ['octo-admin', 'octo-dev', 'octo-new'] as const

const RATE_LIMIT = 5000

/**
 * A real HTTP server that answers like github.com (OAuth) and api.github.com (REST) at one root,
 * for what Bosun uses. State lives in memory; tests seed it through `state`.
 */
export async function startGitHubEmulator(opts: EmulatorOptions = {}): Promise<GitHubEmulator> {
  const state = new GitHubState()
  const oauth = opts.oauth ?? { clientId: 'bosun-dev', clientSecret: 'bosun-dev-secret' }
  state.oauthApps.set(oauth.clientId, oauth)
  if (opts.seed === 'demo') {
    state.addUser('octo-admin', { name: 'Octo Admin' })
    state.addUser('octo-dev', { name: 'Octo Dev' })
    state.addUser('octo-new', { name: 'Octo Newcomer' })
  }
  const used = new Map<string, number>()

  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname: '127.0.0.1',
    fetch: async (req) => {
      const url = new URL(req.url)
      const base = `${url.protocol}//${url.host}`
      if (url.pathname === '/login/oauth/authorize' && req.method === 'GET') return authorize(state, url)
      if (url.pathname === '/login/oauth/access_token' && req.method === 'POST')
        return accessToken(state, req)

      const auth = req.headers.get('authorization') ?? ''
      const token = auth.replace(/^(token|bearer)\s+/i, '')
      const login = token ? state.tokens.get(token) : undefined
      if (token && !login) return ghError(401, 'Bad credentials')
      const key = login ?? `ip:${server.requestIP(req)?.address ?? '?'}`
      const count = (used.get(key) ?? 0) + 1
      used.set(key, count)
      const limit = login ? RATE_LIMIT : 60
      const headers = {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - count)),
        'x-ratelimit-used': String(count),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
      }
      const withHeaders = (res: Response) => {
        for (const [k, v] of Object.entries(headers)) res.headers.set(k, v)
        return res
      }
      if (url.pathname === '/user' && req.method === 'GET') {
        const user = login ? state.user(login) : undefined
        if (!user) return withHeaders(ghError(401, 'Requires authentication'))
        return withHeaders(Response.json(privateUserShape(base, user)))
      }
      const userMatch = url.pathname.match(/^\/users\/([^/]+)$/)
      if (userMatch && req.method === 'GET') {
        const user = state.user(decodeURIComponent(userMatch[1]!))
        return withHeaders(user ? Response.json(userShape(base, user)) : ghError(404, 'Not Found'))
      }
      return withHeaders(ghError(404, 'Not Found'))
    },
  })
  const stop = async () => {
    await server.stop(true)
  }
  return {
    url: `http://127.0.0.1:${server.port}`,
    state,
    oauthClient: oauth,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
