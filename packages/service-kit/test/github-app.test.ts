import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type GitHubEmulator, startGitHubEmulator } from '@bosun/testkit/github/emulator'
import { AppError } from '../src/errors'
import { createGitHubApp, githubAppFromEnv } from '../src/github-app'

let gh: GitHubEmulator

beforeAll(async () => {
  gh = await startGitHubEmulator({ seed: 'none' })
  gh.state.addRepo('kit-org/one')
  gh.state.addRepo('kit-org/two')
})
afterAll(() => gh.stop())

describe('GitHub App installation tokens', () => {
  test('App JWT -> installation -> token narrowed to the repository, cached until near expiry', async () => {
    // The emulator hands out PKCS#8; `\n` escapes are what a one-line env var holds.
    const app = createGitHubApp({
      apiUrl: gh.url,
      appId: gh.app.appId,
      privateKey: gh.app.privateKey.replace(/\n/g, '\\n'),
    })
    const mark = gh.requests.length
    const first = await app.installationToken('kit-org/one')
    expect(first.token).toMatch(/^ghs_/)
    expect(Date.parse(first.expiresAt)).toBeGreaterThan(Date.now() + 30 * 60_000)
    expect(gh.requests.slice(mark).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /repos/kit-org/one/installation 200',
      expect.stringMatching(/^POST \/app\/installations\/\d+\/access_tokens 201$/),
    ])
    expect(await app.installationToken('KIT-ORG/one')).toEqual(first)
    expect(gh.requests.length).toBe(mark + 2)

    const read = (repo: string) =>
      fetch(`${gh.url}/repos/${repo}`, { headers: { authorization: `Bearer ${first.token}` } })
    expect((await read('kit-org/one')).status).toBe(200)
    expect((await read('kit-org/two')).status).toBe(404)
  })

  test('a token asked with permissions can do only that: read issues, comment refused, clone yes, push no', async () => {
    const app = createGitHubApp({ apiUrl: gh.url, appId: gh.app.appId, privateKey: gh.app.privateKey })
    const { token } = await app.installationToken('kit-org/one', { contents: 'read', issues: 'read' })
    expect(token).not.toBe((await app.installationToken('kit-org/one')).token)
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${gh.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } })
    expect((await call('/repos/kit-org/one/issues')).status).toBe(200)
    const created = await call('/repos/kit-org/one/issues', {
      method: 'POST',
      body: JSON.stringify({ title: 'not allowed' }),
    })
    expect(created.status).toBe(403)
    const basic = `Basic ${btoa(`x-access-token:${token}`)}`
    const refs = (service: string) =>
      fetch(`${gh.url}/kit-org/one.git/info/refs?service=${service}`, { headers: { authorization: basic } })
    expect((await refs('git-upload-pack')).status).toBe(200)
    expect((await refs('git-receive-pack')).status).toBe(403)
  })

  test('a wrong key or an uninstalled repository is 503 with a clear message', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString()
    const wrong = createGitHubApp({ apiUrl: gh.url, appId: gh.app.appId, privateKey: other })
    await expect(wrong.installationToken('kit-org/one')).rejects.toMatchObject({ code: 'unavailable' })
    const app = createGitHubApp({ apiUrl: gh.url, appId: gh.app.appId, privateKey: gh.app.privateKey })
    await expect(app.installationToken('nobody/nothing')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('not installed'),
    })
  })

  test('unconfigured: every use answers 503 naming the variables', async () => {
    const app = githubAppFromEnv({ GITHUB_API_URL: gh.url })
    const err = await app.installationToken('kit-org/one').catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('GITHUB_APP_ID') })
  })
})
