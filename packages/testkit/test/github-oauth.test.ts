import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'

let gh: GitHubEmulator
const redirect = 'http://127.0.0.1:9/cb'

beforeAll(async () => {
  gh = await startGitHubEmulator({ seed: 'demo', oauth: { clientId: 'cid', clientSecret: 'sec' } })
})
afterAll(() => gh.stop())

const authorize = (params: Record<string, string>) =>
  fetch(`${gh.url}/login/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' })

describe('GitHub emulator OAuth', () => {
  test('authorize → code → token → /user, the way GitHub answers', async () => {
    const res = await authorize({ client_id: 'cid', redirect_uri: redirect, state: 's1', login: 'octo-dev' })
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    expect(back.searchParams.get('state')).toBe('s1')
    const code = back.searchParams.get('code')!
    const token = (await (
      await fetch(`${gh.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'cid', client_secret: 'sec', code }),
      })
    ).json()) as { access_token: string; token_type: string }
    expect(token.token_type).toBe('bearer')
    expect(token.access_token.startsWith('gho_')).toBe(true)
    const user = await fetch(`${gh.url}/user`, { headers: { authorization: `token ${token.access_token}` } })
    expect(await user.json()).toMatchObject({ login: 'octo-dev', type: 'User', name: 'Octo Dev' })
    expect(user.headers.get('x-ratelimit-limit')).toBe('5000')
  })

  test('a code works once; a wrong secret and a wrong client are refused', async () => {
    const res = await authorize({ client_id: 'cid', redirect_uri: redirect, login: 'octo-admin' })
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!
    const exchange = (body: Record<string, string>) =>
      fetch(`${gh.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      }).then((r) => r.json() as Promise<Record<string, string>>)
    expect(await exchange({ client_id: 'cid', client_secret: 'wrong', code })).toMatchObject({
      error: 'incorrect_client_credentials',
    })
    expect((await exchange({ client_id: 'cid', client_secret: 'sec', code })).access_token).toBeDefined()
    expect(await exchange({ client_id: 'cid', client_secret: 'sec', code })).toMatchObject({
      error: 'bad_verification_code',
    })
    expect((await authorize({ client_id: 'nope', redirect_uri: redirect, login: 'octo-dev' })).status).toBe(
      404,
    )
  })

  test('without a login it shows the users to pick; bad tokens get GitHub’s 401', async () => {
    const page = await authorize({ client_id: 'cid', redirect_uri: redirect })
    const html = await page.text()
    expect(html).toContain('octo-admin')
    expect(html).toContain('octo-new')
    const bad = await fetch(`${gh.url}/user`, { headers: { authorization: 'token gho_nope' } })
    expect(bad.status).toBe(401)
    expect(await bad.json()).toMatchObject({ message: 'Bad credentials' })
  })
})
