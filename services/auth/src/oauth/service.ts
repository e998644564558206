import { AppError } from '@bosun/service-kit/errors'

export type GitHubIdentity = { login: string; name: string | null; avatarUrl: string | null; token: string }

/** Exchanges an OAuth code for a token and reads who it belongs to. */
export async function exchangeCode(
  cfg: { webUrl: string; apiUrl: string; clientId: string; clientSecret: string; redirectUri: string },
  code: string,
): Promise<GitHubIdentity> {
  const tokenRes = await fetch(`${cfg.webUrl}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: cfg.clientId,
      client_secret: cfg.clientSecret,
      code,
      redirect_uri: cfg.redirectUri,
    }),
    signal: AbortSignal.timeout(10_000),
  }).catch(() => null)
  if (!tokenRes?.ok) throw new AppError('unavailable', 'GitHub did not answer the token exchange')
  const grant = (await tokenRes.json()) as { access_token?: string; error?: string }
  if (!grant.access_token)
    throw new AppError('unauthorized', `GitHub refused the sign-in (${grant.error ?? 'no token'})`)
  const userRes = await fetch(`${cfg.apiUrl}/user`, {
    headers: { authorization: `Bearer ${grant.access_token}`, accept: 'application/vnd.github+json' },
    signal: AbortSignal.timeout(10_000),
  }).catch(() => null)
  if (!userRes?.ok) throw new AppError('unavailable', 'GitHub did not return the signed-in user')
  const user = (await userRes.json()) as { login?: unknown; name?: unknown; avatar_url?: unknown }
  if (typeof user.login !== 'string') throw new AppError('unavailable', 'GitHub returned no login')
  return {
    login: user.login,
    name: typeof user.name === 'string' ? user.name : null,
    avatarUrl: typeof user.avatar_url === 'string' ? user.avatar_url : null,
    token: grant.access_token,
  }
}

/** Only same-origin relative paths; `//host` and `/\host` would leave the site. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  return /^[\x21-\x7e]+$/.test(next) ? next : '/'
}
