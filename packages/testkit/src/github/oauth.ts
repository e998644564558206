import type { GitHubState } from './state'
import { randomToken } from './state'

const html = (body: string, status = 200) =>
  new Response(`<!doctype html><meta charset="utf-8"><title>GitHub emulator</title>${body}`, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  })
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** GET /login/oauth/authorize: `login=` picks the signed-in user at once; without it, a page to pick one. */
export function authorize(state: GitHubState, url: URL): Response {
  const clientId = url.searchParams.get('client_id') ?? ''
  const redirectUri = url.searchParams.get('redirect_uri') ?? ''
  if (!state.oauthApps.has(clientId)) return html('<p>Unknown OAuth application.</p>', 404)
  if (!/^https?:\/\//.test(redirectUri)) return html('<p>redirect_uri is required.</p>', 400)
  const login = url.searchParams.get('login')
  if (!login) {
    const links = [...state.users.values()]
      .filter((u) => u.type === 'User')
      .map((u) => {
        const pick = new URL(url)
        pick.searchParams.set('login', u.login)
        return `<li><a href="${escapeHtml(pick.pathname + pick.search)}">${escapeHtml(u.login)}</a></li>`
      })
    return html(`<h1>Sign in to GitHub (emulator)</h1><p>Pick a user:</p><ul>${links.join('')}</ul>`)
  }
  if (!state.user(login)) return html('<p>No such user.</p>', 404)
  const code = randomToken(15)
  state.codes.set(code, { login, clientId, redirectUri })
  const to = new URL(redirectUri)
  to.searchParams.set('code', code)
  const s = url.searchParams.get('state')
  if (s !== null) to.searchParams.set('state', s)
  return new Response(null, { status: 302, headers: { location: to.toString() } })
}

/** POST /login/oauth/access_token: form or JSON; answers JSON when asked, else form-encoded, like GitHub. */
export async function accessToken(state: GitHubState, req: Request): Promise<Response> {
  const type = req.headers.get('content-type') ?? ''
  const params = type.includes('json')
    ? new URLSearchParams((await req.json().catch(() => ({}))) as Record<string, string>)
    : new URLSearchParams(await req.text())
  const clientId = params.get('client_id') ?? ''
  const app = state.oauthApps.get(clientId)
  const code = params.get('code') ?? ''
  const grant = state.codes.get(code)
  let body: Record<string, string>
  if (!app || app.clientSecret !== params.get('client_secret')) {
    body = {
      error: 'incorrect_client_credentials',
      error_description: 'The client_id and/or client_secret passed are incorrect.',
    }
  } else if (!grant || grant.clientId !== clientId) {
    body = { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' }
  } else {
    state.codes.delete(code)
    body = { access_token: state.tokenFor(grant.login), token_type: 'bearer', scope: 'read:user,repo' }
  }
  if ((req.headers.get('accept') ?? '').includes('json')) return Response.json(body)
  return new Response(new URLSearchParams(body).toString(), {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}
