import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createDashboardClient } from '@bosun/clients/dashboard'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * The whole path as deployed: the GitHub emulator (demo seed) sends signed webhooks to the webhooks service,
 * which publishes them on NATS; dashboard reads GitHub and reacts to those events; every call goes through
 * the gateway with the generated clients.
 */
let stack: Stack
const tokens: Record<string, string> = {}
const WS = 'e2e-dash'
const REPO = 'demo-org/demo-repo'

const client = (credential: string) =>
  createDashboardClient({ baseUrl: stack.publicUrl, headers: { authorization: `Bearer ${credential}` } })
const titles = (results: Array<{ title: string }> | undefined) => (results ?? []).map((r) => r.title).sort()

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'dashboard', 'webhooks', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'boss' },
  })
  for (const login of ['boss', 'alice', 'mallory']) stack.github!.state.addUser(login)
  await invite(stack.publicUrl, stack.bootstrapKey, 'alice')
  await invite(stack.publicUrl, stack.bootstrapKey, 'mallory')
  for (const login of ['boss', 'alice', 'mallory']) tokens[login] = await signIn(stack.publicUrl, login)
  const admin = createWorkspaceClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.boss}` },
  })
  const id = { params: { path: { id: WS } } }
  expect((await admin.POST('/api/workspaces', { body: { id: WS, name: 'E2E' } })).response.status).toBe(201)
  await admin.POST('/api/workspaces/{id}/team-members', { ...id, body: { login: 'alice' } })
  await admin.POST('/api/workspaces/{id}/repositories', { ...id, body: { fullName: REPO } })
  await admin.POST('/api/workspaces/{id}/check-policies', {
    ...id,
    body: { name: 'ci', requiredChecks: ['build', 'test', 'ci/*'] },
  })
}, 90_000)

afterAll(() => stack?.stop())

describe('dashboard through the gateway', () => {
  test('buckets over the demo repository', async () => {
    const alice = client(tokens.alice!)
    const read = (bucket: 'ready' | 'failing-checks' | 'changes-requested' | 'drafts' | 'review-requested') =>
      alice.GET('/api/dashboard/prs', { params: { query: { bucket, workspace: WS } } })
    const ready = await read('ready')
    expect(ready.response.status).toBe(200)
    expect(titles(ready.data?.results)).toEqual(['Cache avatars', 'Validate the password field'])
    expect(titles((await read('failing-checks')).data?.results)).toEqual(['Upgrade the test runner'])
    expect(titles((await read('changes-requested')).data?.results)).toEqual(['Dark mode toggle'])
    expect(titles((await read('drafts')).data?.results)).toEqual(['WIP: release notes generator'])
    const issues = await alice.GET('/api/dashboard/issues', { params: { query: { bucket: 'triage' } } })
    expect(titles(issues.data?.results)).toEqual(['Document the release process'])
  })

  test('a check run completing on GitHub reaches dashboard as a webhook and moves the PR into ready', async () => {
    const alice = client(tokens.alice!)
    const s = stack.github!.state
    const pr = s.addPull(
      REPO,
      { title: 'Speed up the build', author: 'octo-dev', head: 'perf/build' },
      { notify: true },
    )
    const sha = pr.pull!.head.sha
    s.addCheckRun(REPO, { headSha: sha, name: 'build', conclusion: 'success' }, { notify: true })
    s.addStatus(REPO, { sha, state: 'success', context: 'ci/lint' }, { notify: true })
    const run = s.addCheckRun(REPO, { headSha: sha, name: 'test', status: 'in_progress' }, { notify: true })
    const bucket = async (name: 'ready' | 'needs-review') =>
      titles((await alice.GET('/api/dashboard/prs', { params: { query: { bucket: name } } })).data?.results)
    await waitFor(
      async () => (await bucket('needs-review')).includes('Speed up the build'),
      15_000,
      'the new PR',
    )
    expect(await bucket('ready')).not.toContain('Speed up the build')

    s.updateCheckRun(s.requireRepo(REPO), run, { conclusion: 'success' }, { notify: true })
    await waitFor(async () => (await bucket('ready')).includes('Speed up the build'), 15_000, 'ready')
  })

  test('vetted author, issue meta and rate limit', async () => {
    const alice = client(tokens.alice!)
    const author = await alice.GET('/api/dashboard/vetted-author/{login}', {
      params: { path: { login: 'octo-new' } },
    })
    expect(titles(author.data?.pullRequests)).toEqual(['Dark mode toggle'])
    expect(titles(author.data?.issues)).toEqual(['Add dark mode', 'Typo in README'])
    const meta = await alice.GET('/api/github/issue-meta/{owner}/{repo}/{number}', {
      params: { path: { owner: 'demo-org', repo: 'demo-repo', number: 4 } },
    })
    expect(meta.data).toEqual({ title: 'Typo in README', state: 'closed', draft: false, merged_at: null })
    const rate = await alice.GET('/api/rate-limit', {})
    expect(rate.data?.identity).toBe('user')
  })

  test('an API key reads with the GitHub App installation; a non-member gets 404', async () => {
    const key = await createApiKey(stack.publicUrl, tokens.alice!, ['team_members:read'])
    const mark = stack.github!.requests.length
    const res = await client(key).GET('/api/dashboard/prs', { params: { query: { bucket: 'drafts' } } })
    expect(titles(res.data?.results)).toEqual(['WIP: release notes generator'])
    // Pull requests are read with GraphQL, the installation token from the repository's installation.
    const used = stack
      .github!.requests.slice(mark)
      .filter((r) => r.path === '/graphql' || r.path.startsWith(`/repos/${REPO}/`))
    expect(used.some((r) => r.path === '/graphql')).toBe(true)
    for (const r of used) expect(r.token?.startsWith('ghs_') || r.path.endsWith('/installation')).toBe(true)

    const outsider = await client(tokens.mallory!).GET('/api/dashboard/prs', {
      params: { query: { bucket: 'ready', workspace: WS } },
    })
    expect(outsider.response.status).toBe(404)
    expect(outsider.error).toMatchObject({ error: 'not_found' })
  })
})
