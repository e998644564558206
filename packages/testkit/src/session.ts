import { SESSION_COOKIE } from '@bosun/contracts/principal'

const cookieOf = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1)

/**
 * Signs a GitHub emulator user in through Bosun's real OAuth routes, as a browser would, and returns the
 * session JWT. `baseUrl` is where /api/auth lives (the gateway, or auth itself when BOSUN_PUBLIC_URL points there).
 */
export async function signIn(baseUrl: string, login: string): Promise<string> {
  const start = await fetch(`${baseUrl}/api/auth/github`, { redirect: 'manual' })
  const state = cookieOf(start, 'bosun_oauth_state')
  const location = start.headers.get('location')
  if (start.status !== 302 || !state || !location) throw new Error(`sign-in did not start (${start.status})`)
  const authorize = new URL(location)
  authorize.searchParams.set('login', login)
  const granted = await fetch(authorize, { redirect: 'manual' })
  const callback = granted.headers.get('location')
  if (!callback) throw new Error(`the GitHub emulator did not grant (${granted.status})`)
  const done = await fetch(callback, {
    redirect: 'manual',
    headers: { cookie: `bosun_oauth_state=${state}` },
  })
  const token = cookieOf(done, SESSION_COOKIE)
  if (!token) throw new Error(`sign-in refused: ${done.headers.get('location')}`)
  return token
}

/** Creates an API key with exactly these scopes for the holder of `token`. */
export async function createApiKey(
  baseUrl: string,
  token: string,
  scopes: string[],
  name = 'test',
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scopes }),
  })
  if (res.status !== 201) throw new Error(`API key not created: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { key: string }).key
}

export async function invite(
  baseUrl: string,
  adminKey: string,
  login: string,
  role = 'member',
): Promise<void> {
  const res = await fetch(`${baseUrl}/api/auth/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ login, role }),
  })
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${await res.text()}`)
}
