import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { importPKCS8, SignJWT } from 'jose'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'

const REVIEW_THREADS_QUERY =
  'query($owner:String!,$name:String!,$number:Int!){ repository(owner:$owner,name:$name){ pullRequest(number:$number){ reviewThreads(first:100){ nodes { isResolved comments(first:100){ nodes { createdAt } } } } } } }'

let gh: GitHubEmulator
let token: string
const REPO = 'demo-org/demo-repo'

beforeAll(async () => {
  gh = await startGitHubEmulator({ seed: 'demo' })
  token = gh.state.tokenFor('octo-dev')
})
afterAll(() => gh.stop())

const call = (path: string, init: RequestInit & { as?: string } = {}) =>
  fetch(`${gh.url}${path}`, {
    ...init,
    headers: {
      ...(init.as === '' ? {} : { authorization: `token ${init.as ?? token}` }),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string>),
    },
  })
const getJson = async <T = Record<string, unknown>>(path: string, as?: string) => {
  const res = await call(path, { as })
  expect(res.status).toBe(200)
  return (await res.json()) as T
}
const search = async (q: string, extra = '') =>
  (
    await getJson<{ total_count: number; items: { number: number; title: string }[] }>(
      `/search/issues?q=${encodeURIComponent(q)}${extra}`,
    )
  ).items.map((i) => i.title)

async function appJwt(overrides: { iss?: string; exp?: number } = {}) {
  const key = await importPKCS8(gh.app.privateKey, 'RS256')
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(overrides.iss ?? gh.app.appId)
    .setIssuedAt(now - 60)
    .setExpirationTime(overrides.exp ?? now + 540)
    .sign(key)
}

describe('conditional requests and rate limits', () => {
  test('a GET has an ETag; If-None-Match answers 304 and costs nothing, a change makes a new ETag', async () => {
    const own = gh.state.addIssue(REPO, { title: 'Cached', author: 'octo-dev' })
    const path = `/repos/${REPO}/issues/${own.number}`
    const first = await call(path)
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/)
    const used = Number(first.headers.get('x-ratelimit-used'))
    const again = await call(path, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(Number(again.headers.get('x-ratelimit-used'))).toBe(used)
    const limit = (await getJson<{ resources: { core: { used: number } } }>('/rate_limit')).resources.core
    expect(limit.used).toBe(used)

    await call(path, { method: 'PATCH', body: JSON.stringify({ title: 'Cached (edited)' }) })
    const changed = await call(path, { headers: { 'if-none-match': etag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    expect(Number(changed.headers.get('x-ratelimit-used'))).toBe(used + 2)
  })

  test('an exhausted limit answers 403 with remaining 0; a matching 304 still works; /rate_limit tells', async () => {
    await using small = await startGitHubEmulator({ seed: 'demo', rateLimit: { core: 3 } })
    const t = small.state.tokenFor('octo-admin')
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${small.url}${path}`, { headers: { authorization: `Bearer ${t}`, ...headers } })
    const first = await get(`/repos/${REPO}`)
    const etag = first.headers.get('etag')!
    await get('/users/octo-dev')
    const last = await get('/orgs/demo-org')
    expect(last.status).toBe(200)
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0')
    const refused = await get('/users/octo-new')
    expect(refused.status).toBe(403)
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(((await refused.json()) as { message: string }).message).toContain('API rate limit exceeded')
    expect((await get(`/repos/${REPO}`, { 'if-none-match': etag })).status).toBe(304)
    const rate = (await (await get('/rate_limit')).json()) as { rate: { remaining: number; limit: number } }
    expect(rate.rate).toMatchObject({ remaining: 0, limit: 3 })
    // Other callers have their own bucket.
    const other = small.state.tokenFor('octo-dev')
    expect(
      (await fetch(`${small.url}/users/octo-new`, { headers: { authorization: `token ${other}` } })).status,
    ).toBe(200)
  })

  test('anonymous callers get 60 an hour; a bad token is 401, not anonymous', async () => {
    const res = await call('/users/octo-dev', { as: '' })
    expect(res.headers.get('x-ratelimit-limit')).toBe('60')
    expect((await call('/users/octo-dev', { as: 'gho_nope' })).status).toBe(401)
  })

  test('the request log records method, path, status and token', async () => {
    const before = gh.requests.length
    await call('/repos/demo-org/nope')
    expect(gh.requests.slice(before)).toEqual([
      { method: 'GET', path: '/repos/demo-org/nope', query: '', status: 404, token },
    ])
  })
})

describe('paging', () => {
  test('per_page and page with GitHub Link headers, first to last', async () => {
    const res = await call(`/repos/${REPO}/issues?state=all&per_page=3`)
    const link = res.headers.get('link')!
    expect(link).toContain('rel="next"')
    const last = /<([^>]+)>; rel="last"/.exec(link)![1]!
    expect(new URL(last).searchParams.get('page')).toBe(
      String(Math.ceil(gh.state.requireRepo(REPO).issues.size / 3)),
    )
    const seen = new Set<number>()
    let next: string | undefined = `${gh.url}/repos/${REPO}/issues?state=all&per_page=3`
    while (next) {
      const page: Response = await fetch(next, { headers: { authorization: `token ${token}` } })
      for (const i of (await page.json()) as { number: number }[]) seen.add(i.number)
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1]
    }
    expect(seen.size).toBe(gh.state.requireRepo(REPO).issues.size)
  })
})

describe('issues and pull requests', () => {
  test('the issue list includes pull requests with a pull_request key and filters like GitHub', async () => {
    const all = await getJson<{ number: number; pull_request?: unknown }[]>(
      `/repos/${REPO}/issues?per_page=100`,
    )
    expect(all.some((i) => i.pull_request)).toBe(true)
    expect(all.some((i) => !i.pull_request)).toBe(true)
    const bugs = await getJson<{ title: string }[]>(`/repos/${REPO}/issues?labels=bug`)
    expect(bugs.map((i) => i.title)).toEqual(['Login page crashes on empty password'])
    const none = await getJson<{ assignees: unknown[] }[]>(`/repos/${REPO}/issues?assignee=none&per_page=100`)
    expect(none.every((i) => i.assignees.length === 0)).toBe(true)
    const closed = await getJson<{ state: string }[]>(`/repos/${REPO}/issues?state=closed`)
    expect(closed.map((i) => i.state)).toEqual(['closed'])
    const future = new Date(Date.now() + 60_000).toISOString()
    expect(await getJson<unknown[]>(`/repos/${REPO}/issues?since=${future}`)).toEqual([])
  })

  test('create an issue, label it, assign it, comment, close it', async () => {
    const created = await call(`/repos/${REPO}/issues`, {
      method: 'POST',
      body: JSON.stringify({ title: 'New thing', labels: ['bug'], assignees: ['octo-dev'] }),
    })
    expect(created.status).toBe(201)
    const issue = (await created.json()) as { number: number; user: { login: string } }
    expect(issue.user.login).toBe('octo-dev')
    const labels = await call(`/repos/${REPO}/issues/${issue.number}/labels`, {
      method: 'POST',
      body: JSON.stringify({ labels: ['bosun:trigger'] }),
    })
    expect(((await labels.json()) as { name: string }[]).map((l) => l.name)).toEqual(['bug', 'bosun:trigger'])
    const comment = await call(`/repos/${REPO}/issues/${issue.number}/comments`, {
      method: 'POST',
      body: JSON.stringify({ body: 'On it' }),
    })
    expect(comment.status).toBe(201)
    const closed = await call(`/repos/${REPO}/issues/${issue.number}`, {
      method: 'PATCH',
      body: JSON.stringify({ state: 'closed', state_reason: 'not_planned' }),
    })
    expect(await closed.json()).toMatchObject({ state: 'closed', state_reason: 'not_planned', comments: 1 })
    expect((await call(`/repos/${REPO}/issues`, { method: 'POST', body: '{' })).status).toBe(400)
    expect((await call(`/repos/${REPO}/issues`, { method: 'POST', body: '{}' })).status).toBe(422)
    expect(
      (await call(`/repos/${REPO}/issues`, { method: 'POST', body: '{"title":"x"}', as: '' })).status,
    ).toBe(401)
  })

  test('pull requests show draft, head sha of a real commit, requested reviewers; reviews change them', async () => {
    const pulls = await getJson<{ number: number; title: string; draft: boolean; head: { sha: string } }[]>(
      `/repos/${REPO}/pulls`,
    )
    const cache = pulls.find((p) => p.title === 'Cache avatars')!
    const full = await getJson<{ requested_reviewers: { login: string }[]; merged: boolean }>(
      `/repos/${REPO}/pulls/${cache.number}`,
    )
    expect(full.requested_reviewers.map((u) => u.login)).toEqual(['octo-dev'])
    expect(full.merged).toBe(false)
    expect(pulls.find((p) => p.title.startsWith('WIP'))!.draft).toBe(true)
    const review = await call(`/repos/${REPO}/pulls/${cache.number}/reviews`, {
      method: 'POST',
      body: JSON.stringify({ event: 'APPROVE' }),
    })
    expect(await review.json()).toMatchObject({ state: 'APPROVED', commit_id: cache.head.sha })
    const after = await getJson<{ requested_reviewers: unknown[] }>(`/repos/${REPO}/pulls/${cache.number}`)
    expect(after.requested_reviewers).toEqual([])
    const own = await call(`/repos/${REPO}/pulls/${cache.number}/reviews`, {
      method: 'POST',
      as: gh.state.tokenFor('octo-admin'),
      body: JSON.stringify({ event: 'APPROVE' }),
    })
    expect(own.status).toBe(422)
  })

  test('merging makes a real merge commit on the base and closes the pull request', async () => {
    const pulls = await getJson<{ number: number; title: string }[]>(`/repos/${REPO}/pulls`)
    const pr = pulls.find((p) => p.title === 'Upgrade the test runner')!
    const res = await call(`/repos/${REPO}/pulls/${pr.number}/merge`, { method: 'PUT', body: '{}' })
    const merge = (await res.json()) as { sha: string; merged: boolean }
    expect(merge.merged).toBe(true)
    const after = await getJson<{
      merged: boolean
      merged_at: string
      merge_commit_sha: string
      state: string
    }>(`/repos/${REPO}/pulls/${pr.number}`)
    expect(after).toMatchObject({ merged: true, state: 'closed', merge_commit_sha: merge.sha })
    const status = await getJson<{ sha: string }>(`/repos/${REPO}/commits/main/status`)
    expect(status.sha).toBe(merge.sha)
    expect(
      (await call(`/repos/${REPO}/pulls/${pr.number}/merge`, { method: 'PUT', body: '{}' })).status,
    ).toBe(405)
  })
})

describe('search', () => {
  test('qualifiers select what GitHub would', async () => {
    const repo = `repo:${REPO}`
    const pulls = await getJson<{ number: number; title: string }[]>(`/repos/${REPO}/pulls`)
    const dark = pulls.find((p) => p.title === 'Dark mode toggle')!
    const requested = await call(`/repos/${REPO}/pulls/${dark.number}/requested_reviewers`, {
      method: 'POST',
      body: JSON.stringify({ reviewers: ['octo-admin'] }),
    })
    expect(requested.status).toBe(201)
    expect(await search(`${repo} is:pr is:open review-requested:octo-admin`)).toEqual(['Dark mode toggle'])
    expect(await search(`${repo} is:pr draft:true`)).toEqual(['WIP: release notes generator'])
    expect(await search(`${repo} is:pr author:octo-new`)).toEqual(['Dark mode toggle'])
    expect(await search(`${repo} is:issue label:enhancement`)).toEqual(['Add dark mode'])
    expect(await search(`${repo} is:pr label:enhancement`)).toEqual(['Dark mode toggle'])
    const openIssues = await search(`${repo} is:issue is:open no:label`)
    expect(openIssues).toContain('Document the release process')
    expect(openIssues).not.toContain('Add dark mode')
    expect(await search(`${repo} is:issue is:closed`)).toContain('Typo in README')
    expect(await search(`${repo} is:issue assignee:octo-dev`)).toContain(
      'Login page crashes on empty password',
    )
    expect(await search(`${repo} is:pr is:open no:assignee draft:false -author:octo-dev`)).not.toContain(
      'Validate the password field',
    )
    const byUpdate = await getJson<{ items: { updated_at: string }[] }>(
      `/search/issues?q=${encodeURIComponent(`${repo} is:pr`)}&sort=updated&order=desc`,
    )
    const times = byUpdate.items.map((i) => i.updated_at)
    expect(times).toEqual([...times].sort().reverse())
    expect(await search('repo:demo-org/other is:pr')).toEqual([])
    gh.state.addRepo('demo-org/other')
    gh.state.addIssue('demo-org/other', { title: 'Elsewhere by octo-new', author: 'octo-new' })
    const both = await search(`author:octo-new repo:demo-org/other ${repo}`)
    expect(both).toContain('Elsewhere by octo-new')
    expect(both).toContain('Dark mode toggle')
    expect(await search(`author:octo-new ${repo}`)).not.toContain('Elsewhere by octo-new')
    expect((await call('/search/issues')).status).toBe(422)
  })
})

describe('GitHub App', () => {
  test('JWT -> installation -> token for one repository, usable on the REST API', async () => {
    const jwt = await appJwt()
    const inst = await getJson<{ id: number; app_id: number }>(`/repos/${REPO}/installation`, jwt)
    expect(String(inst.app_id)).toBe(gh.app.appId)
    const res = await call(`/app/installations/${inst.id}/access_tokens`, {
      method: 'POST',
      as: jwt,
      body: JSON.stringify({ repositories: ['demo-repo'] }),
    })
    expect(res.status).toBe(201)
    const { token: ghs, expires_at } = (await res.json()) as { token: string; expires_at: string }
    expect(ghs.startsWith('ghs_')).toBe(true)
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now())
    const issue = await call(`/repos/${REPO}/issues`, {
      method: 'POST',
      as: ghs,
      body: JSON.stringify({ title: 'From the App' }),
    })
    expect(((await issue.json()) as { user: { login: string; type: string } }).user).toMatchObject({
      login: 'bosun-emulator[bot]',
      type: 'Bot',
    })
    const run = await call(`/repos/${REPO}/check-runs`, {
      method: 'POST',
      as: ghs,
      body: JSON.stringify({ name: 'bosun', head_sha: 'main', status: 'in_progress' }),
    })
    expect(run.status).toBe(201)
    const repos = await getJson<{ total_count: number }>('/installation/repositories', ghs)
    expect(repos.total_count).toBe(1)
  })

  test('forged, foreign or too long JWTs and user tokens are refused where an App is required', async () => {
    const { privateKey } = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(gh.app.appId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
    expect((await call(`/repos/${REPO}/installation`, { as: forged })).status).toBe(401)
    expect((await call(`/repos/${REPO}/installation`, { as: await appJwt({ iss: '1' }) })).status).toBe(401)
    const tooLong = await appJwt({ exp: Math.floor(Date.now() / 1000) + 3600 })
    expect((await call(`/repos/${REPO}/installation`, { as: tooLong })).status).toBe(401)
    expect((await call(`/repos/${REPO}/installation`)).status).toBe(401)
    const check = await call(`/repos/${REPO}/check-runs`, {
      method: 'POST',
      body: JSON.stringify({ name: 'x', head_sha: 'main' }),
    })
    expect(check.status).toBe(403)
  })

  test('an installation token limited to one repository does not see another', async () => {
    gh.state.addRepo('demo-org/secret', { private: true })
    const jwt = await appJwt()
    const inst = await getJson<{ id: number }>(`/repos/${REPO}/installation`, jwt)
    const res = await call(`/app/installations/${inst.id}/access_tokens`, {
      method: 'POST',
      as: jwt,
      body: JSON.stringify({ repositories: ['demo-repo'] }),
    })
    const { token: ghs } = (await res.json()) as { token: string }
    expect((await call('/repos/demo-org/secret', { as: ghs })).status).toBe(404)
    expect((await call('/repos/demo-org/secret', { as: '' })).status).toBe(404)
    expect(
      (await call('/repos/demo-org/secret', { as: gh.state.installationToken('demo-org/secret') })).status,
    ).toBe(200)
  })

  test('an installation token asked with permissions gets those (422 past the App), and writes only where granted', async () => {
    const jwt = await appJwt()
    const inst = await getJson<{ id: number }>(`/repos/${REPO}/installation`, jwt)
    const mint = (permissions: unknown) =>
      call(`/app/installations/${inst.id}/access_tokens`, {
        method: 'POST',
        as: jwt,
        body: JSON.stringify({ repositories: ['demo-repo'], permissions }),
      })
    expect((await mint({ administration: 'write' })).status).toBe(422)
    expect((await mint({ metadata: 'write' })).status).toBe(422)
    expect((await mint({ issues: 'admin' })).status).toBe(422)
    const res = await mint({ issues: 'write' })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { token: string; permissions: Record<string, string> }
    expect(body.permissions).toEqual({ metadata: 'read', issues: 'write' })
    const post = (path: string, payload: unknown) =>
      call(path, { method: 'POST', as: body.token, body: JSON.stringify(payload) })
    expect((await post(`/repos/${REPO}/issues`, { title: 'from a narrowed token' })).status).toBe(201)
    expect((await post(`/repos/${REPO}/statuses/main`, { state: 'success', context: 'x' })).status).toBe(403)
  })
})

describe('GraphQL review threads', () => {
  test('answers review threads with resolution state; a query outside the schema gets errors', async () => {
    const pulls = await getJson<{ number: number; title: string }[]>(`/repos/${REPO}/pulls?state=all`)
    const unresolved = pulls.find((p) => p.title === 'Document the release process')!
    const res = await call('/graphql', {
      method: 'POST',
      body: JSON.stringify({
        query: REVIEW_THREADS_QUERY.replace(/ /g, '\n  '),
        variables: { owner: 'demo-org', name: 'demo-repo', number: unresolved.number },
      }),
    })
    const body = (await res.json()) as {
      data: {
        repository: {
          pullRequest: { reviewThreads: { nodes: { isResolved: boolean; comments: { nodes: unknown[] } }[] } }
        }
      }
    }
    const nodes = body.data.repository.pullRequest.reviewThreads.nodes
    expect(nodes.map((n) => n.isResolved)).toEqual([false])
    const other = await call('/graphql', {
      method: 'POST',
      body: JSON.stringify({ query: '{ viewer { login favouriteColour } }' }),
    })
    expect(other.status).toBe(200)
    expect(((await other.json()) as { errors: unknown[] }).errors.length).toBe(1)
  })
})
