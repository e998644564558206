/** In-memory state of the GitHub emulator: what the tests seed and what its API changes. */
export type GhUser = {
  id: number
  login: string
  name: string | null
  email: string | null
  type: 'User' | 'Organization'
  createdAt: string
}

export type OAuthApp = { clientId: string; clientSecret: string }

export class GitHubState {
  private nextId = 1000
  readonly users = new Map<string, GhUser>()
  /** access token -> login */
  readonly tokens = new Map<string, string>()
  /** OAuth code -> login and client, single use */
  readonly codes = new Map<string, { login: string; clientId: string; redirectUri: string }>()
  readonly oauthApps = new Map<string, OAuthApp>()

  addUser(login: string, init: Partial<Omit<GhUser, 'login' | 'id'>> = {}): GhUser {
    const existing = this.users.get(login.toLowerCase())
    if (existing) return existing
    const user: GhUser = {
      id: this.nextId++,
      login,
      name: init.name ?? null,
      email: init.email ?? null,
      type: init.type ?? 'User',
      createdAt: init.createdAt ?? new Date('2020-01-01T00:00:00Z').toISOString(),
    }
    this.users.set(login.toLowerCase(), user)
    return user
  }

  user(login: string): GhUser | undefined {
    return this.users.get(login.toLowerCase())
  }

  /** Mints a token for a user directly (tests that skip the OAuth dance). */
  tokenFor(login: string): string {
    const token = `gho_${randomToken()}`
    this.tokens.set(token, login)
    return token
  }
}

export function randomToken(bytes = 18): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')
}
