import { AppError, unavailable } from '@bosun/service-kit/errors'

/** GitHub answered that the resource is not there for this caller (404, 410, or a non-rate-limit 403). */
export class GitHubMissing extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`GitHub answered ${status} for ${path}`)
    this.name = 'GitHubMissing'
  }
}

const resetOf = (res: Response): string => {
  const retryAfter = Number(res.headers.get('retry-after'))
  if (retryAfter > 0) return new Date(Date.now() + retryAfter * 1000).toISOString()
  const reset = Number(res.headers.get('x-ratelimit-reset'))
  return new Date(reset > 0 ? reset * 1000 : Date.now() + 60_000).toISOString()
}

export function rateLimited(res: Response, what: string): AppError {
  const resetAt = resetOf(res)
  return new AppError('rate_limited', `${what} reached; it resets at ${resetAt}`, { resetAt })
}

export const isRateLimited = (res: Response) =>
  res.status === 429 ||
  (res.status === 403 && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after')))

/** Maps a GitHub failure to our error shape; `kind` says whose credential it was. */
export function fromGitHub(res: Response, path: string, kind: 'user' | 'app'): Error {
  if (res.status === 401)
    return kind === 'user'
      ? new AppError('github_token_invalid', 'GitHub refused your token; sign in with GitHub again')
      : unavailable('GitHub refused the GitHub App installation token')
  if (isRateLimited(res)) return rateLimited(res, 'GitHub rate limit')
  if (res.status >= 500) return unavailable(`GitHub is unavailable (it answered ${res.status})`)
  if (res.status === 404 || res.status === 403 || res.status === 410 || res.status === 422)
    return new GitHubMissing(res.status, path)
  return unavailable(`GitHub answered ${res.status} for ${path}`)
}
