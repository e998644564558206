import { githubTokenRpc } from '@bosun/contracts/auth'
import type { Principal } from '@bosun/contracts/principal'
import type { Bus } from '@bosun/service-kit/bus'
import { AppError, unavailable } from '@bosun/service-kit/errors'
import type { GitHubApp } from '@bosun/service-kit/github-app'

/** Whose eyes GitHub is read with; `key` separates cached responses between identities. */
export type Reader = {
  key: string
  kind: 'user' | 'app'
  token(repo: string): Promise<string>
  /** GitHub refused the token used for `repo`: forget it so the next call fetches a fresh one. */
  forget(repo: string): void
}

const TOKEN_TTL_MS = 5 * 60_000
const MAX_TOKENS = 10_000

/**
 * Users read with their own GitHub token, fetched from auth over NATS and held in memory briefly (never
 * logged); API keys read with the GitHub App's installation token of the repository.
 */
export function createReaders(bus: Pick<Bus, 'request'>, app: GitHubApp) {
  const tokens = new Map<string, { token: string; until: number }>()

  const userToken = async (userId: string) => {
    const hit = tokens.get(userId)
    if (hit && hit.until > Date.now()) return hit.token
    try {
      const { token } = await bus.request(githubTokenRpc, { userId })
      if (tokens.size >= MAX_TOKENS) tokens.clear()
      tokens.set(userId, { token, until: Date.now() + TOKEN_TTL_MS })
      return token
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found')
        throw new AppError('github_token_invalid', 'No GitHub token on file; sign in with GitHub again')
      throw unavailable('Cannot reach the auth service for your GitHub token')
    }
  }

  const appReader: Reader = {
    key: 'app',
    kind: 'app',
    token: async (repo) => (await app.installationToken(repo)).token,
    forget: (repo) => app.forget(repo),
  }

  return {
    forPrincipal(principal: Principal): Reader {
      if (principal.kind === 'api_key') return appReader
      return {
        key: `user:${principal.userId}`,
        kind: 'user',
        token: () => userToken(principal.userId),
        forget: () => tokens.delete(principal.userId),
      }
    },
  }
}

export type Readers = ReturnType<typeof createReaders>
