import { createPrivateKey, type KeyObject } from 'node:crypto'
import { Type as T } from '@sinclair/typebox'
import { SignJWT } from 'jose'
import { AppError, unavailable } from './errors'

/** Env fields a service spreads into its schema when it acts as the Bosun GitHub App. */
export const githubAppEnv = {
  GITHUB_API_URL: T.String({ default: 'https://api.github.com' }),
  GITHUB_APP_ID: T.Optional(T.String({ pattern: '^[0-9]+$' })),
  GITHUB_APP_PRIVATE_KEY: T.Optional(T.String({ description: 'PEM text; \\n escapes accepted' })),
}

export type GitHubAppConfig = {
  apiUrl: string
  appId: string | number
  /** PEM, PKCS#1 (what GitHub hands out) or PKCS#8; literal `\n` escapes are accepted. */
  privateKey: string
  fetch?: typeof fetch
}

export type InstallationToken = { token: string; expiresAt: string }

/** GitHub App permissions a token is narrowed to (`contents: 'read'` for a fetch); unset: all the App has. */
export type TokenPermissions = Partial<
  Record<'contents' | 'issues' | 'pull_requests' | 'checks' | 'statuses' | 'metadata', 'read' | 'write'>
>

export type GitHubApp = {
  /**
   * A token of the installation that covers this repository, narrowed to it (and to `permissions` when
   * given); cached per repository and permissions until 5 min before expiry.
   */
  installationToken(repoFullName: string, permissions?: TokenPermissions): Promise<InstallationToken>
  /** GitHub refused the cached token (revoked, or the App reinstalled): the next call mints a new one. */
  forget(repoFullName: string): void
}

const REUSE_MARGIN_MS = 5 * 60_000

const cacheKey = (repo: string, permissions?: TokenPermissions) =>
  `${repo.toLowerCase()}\n${permissions ? JSON.stringify(Object.entries(permissions).sort()) : '*'}`
const USER_AGENT = 'bosun-github-app'

/**
 * The App JWT (RS256, iss = app id, iat 60 s in the past for clock drift, exp 9 min ahead) is exchanged for an
 * installation token: `GET /repos/{repo}/installation`, then `POST /app/installations/{id}/access_tokens`.
 */
export function createGitHubApp(config: GitHubAppConfig): GitHubApp {
  const doFetch = config.fetch ?? fetch
  const apiUrl = config.apiUrl.replace(/\/+$/, '')
  let key: KeyObject | undefined
  const tokens = new Map<string, InstallationToken>()
  const inflight = new Map<string, Promise<InstallationToken>>()

  const appJwt = async () => {
    key ??= createPrivateKey(config.privateKey.replace(/\\n/g, '\n'))
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(String(config.appId))
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 9 * 60)
      .sign(key)
  }

  const call = async (method: string, path: string, jwt: string, body?: unknown) => {
    let res: Response
    try {
      res = await doFetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${jwt}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': USER_AGENT,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      })
    } catch {
      throw unavailable('GitHub is unreachable')
    }
    return res
  }

  const mint = async (repo: string, permissions?: TokenPermissions): Promise<InstallationToken> => {
    const jwt = await appJwt()
    const found = await call('GET', `/repos/${repo}/installation`, jwt)
    if (found.status === 404) throw unavailable(`The GitHub App is not installed on ${repo}`)
    if (found.status === 401) throw unavailable('GitHub refused the GitHub App credentials')
    if (!found.ok) throw unavailable(`GitHub answered ${found.status} looking up the installation of ${repo}`)
    const { id } = (await found.json()) as { id: number }
    const [, name] = repo.split('/')
    const minted = await call('POST', `/app/installations/${id}/access_tokens`, jwt, {
      repositories: [name],
      ...(permissions ? { permissions } : {}),
    })
    if (!minted.ok) throw unavailable(`GitHub answered ${minted.status} minting an installation token`)
    const body = (await minted.json()) as { token: string; expires_at: string }
    return { token: body.token, expiresAt: body.expires_at }
  }

  return {
    async installationToken(repoFullName, permissions) {
      const key = cacheKey(repoFullName, permissions)
      const cached = tokens.get(key)
      if (cached && Date.parse(cached.expiresAt) - REUSE_MARGIN_MS > Date.now()) return cached
      const running = inflight.get(key)
      if (running) return running
      const p = mint(repoFullName, permissions)
        .then((t) => {
          tokens.set(key, t)
          return t
        })
        .finally(() => inflight.delete(key))
      inflight.set(key, p)
      return p
    },
    forget(repoFullName) {
      const prefix = `${repoFullName.toLowerCase()}\n`
      for (const key of tokens.keys()) if (key.startsWith(prefix)) tokens.delete(key)
    },
  }
}

/** The App from env, or one whose every use answers 503 naming the missing variables. */
export function githubAppFromEnv(env: {
  GITHUB_API_URL: string
  GITHUB_APP_ID?: string
  GITHUB_APP_PRIVATE_KEY?: string
}): GitHubApp {
  if (env.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY)
    return createGitHubApp({
      apiUrl: env.GITHUB_API_URL,
      appId: env.GITHUB_APP_ID,
      privateKey: env.GITHUB_APP_PRIVATE_KEY,
    })
  return {
    installationToken: async () => {
      throw new AppError(
        'unavailable',
        'The GitHub App is not configured (set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)',
      )
    },
    forget: () => {},
  }
}
