import { jwtVerify } from 'jose'
import { HttpError, type Principal } from './http'
import type { GitHubState } from './state'

const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/

/** The credential in `Authorization` (token, Bearer, or Basic as git sends it), if any. */
export function credential(req: Request): string | undefined {
  const header = req.headers.get('authorization') ?? ''
  const basic = /^basic\s+(.+)$/i.exec(header)
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString()
    const sep = decoded.indexOf(':')
    // git sends `x-access-token:<token>`; a token as the user name (no password) works on GitHub too.
    return (sep < 0 ? decoded : decoded.slice(sep + 1)) || decoded.slice(0, Math.max(0, sep)) || undefined
  }
  const m = /^(?:token|bearer)\s+(.+)$/i.exec(header)
  return m?.[1]?.trim()
}

/** Resolves who calls; a credential that does not check out is GitHub's 401, never anonymous. */
export async function principalOf(
  state: GitHubState,
  token: string | undefined,
  ip: string,
): Promise<Principal> {
  if (!token) return { kind: 'anonymous', key: `ip:${ip}` }
  if (JWT.test(token))
    return { kind: 'app', app: await verifyAppJwt(state, token), key: `app:${state.app.id}` }
  const inst = state.installationTokens.get(token)
  if (inst) {
    if (inst.expiresAt.getTime() <= Date.now()) throw new HttpError(401, 'Bad credentials')
    const installation = state.installations.get(inst.installationId)!
    return {
      kind: 'installation',
      token: inst,
      installation,
      user: state.app.bot,
      key: `inst:${installation.id}`,
    }
  }
  const login = state.tokens.get(token)
  const user = login ? state.user(login) : undefined
  if (!user) throw new HttpError(401, 'Bad credentials')
  return { kind: 'user', user, key: `user:${user.id}` }
}

/** GitHub's App JWT rules: RS256 by the App's key, `iss` the App id (or client id), at most 10 minutes long. */
async function verifyAppJwt(state: GitHubState, token: string) {
  const app = state.app
  try {
    const { payload } = await jwtVerify(token, app.publicKey!, { algorithms: ['RS256'], clockTolerance: 60 })
    if (String(payload.iss) !== String(app.id) && payload.iss !== app.clientId)
      throw new HttpError(401, `'Issuer' claim ('iss') must be an Integer`)
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number')
      throw new HttpError(401, 'A JSON web token could not be decoded')
    if (payload.exp - payload.iat > 600 + 60)
      throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the future")
    return app
  } catch (err) {
    if (err instanceof HttpError) throw err
    throw new HttpError(401, 'A JSON web token could not be decoded')
  }
}
