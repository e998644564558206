import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createAicaClient } from '@bosun/clients/aica'
import { createArtifactsClient } from '@bosun/clients/artifacts'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import type { Artifact, ArtifactLive } from '@bosun/contracts/artifacts'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { connect } from 'nats'

/**
 * Artifacts with real processes: auth, workspace, aica, the runner with the real opencode against the scripted
 * model, webhooks and the GitHub emulator, through the gateway.
 */
let stack: Stack
let model: ScriptedModel
const tokens: Record<string, string> = {}
const WS = 'art-team'
const OTHER = 'art-other'
const REPO = 'demo-org/demo-repo'
const SHARED_KEY = 'sk-artifacts-shared-test'

const client = (who: string) =>
  createArtifactsClient({ baseUrl: stack.publicUrl, headers: { authorization: `Bearer ${tokens[who]}` } })
const raw = (who: string, method: string, path: string, body?: unknown) =>
  fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
const issuePath = (n: number, ws = WS) => ({
  path: { id: ws, owner: 'demo-org', repo: 'demo-repo', number: n },
})
const artifactPath = (artifactId: string, ws = WS) => ({ path: { id: ws, artifactId } })

const gh = () => stack.github!.state
const newIssue = (title: string, body: string) => gh().addIssue(REPO, { title, body, author: 'alice' })

async function artifactOf(n: number) {
  const res = await client('alice').GET('/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}', {
    params: issuePath(n),
  })
  return res.data
}

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: SHARED_KEY })
  stack = await startStack({
    services: ['auth', 'workspace', 'artifacts', 'aica', 'webhooks', 'runner', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'boss', BOSUN_RUNNER_IDLE_MS: '2000', LOG_LEVEL: 'warn' },
  })
  for (const login of ['boss', 'alice', 'bob', 'eve']) gh().addUser(login)
  for (const login of ['alice', 'bob', 'eve']) await invite(stack.publicUrl, stack.bootstrapKey, login)
  for (const login of ['boss', 'alice', 'bob', 'eve']) tokens[login] = await signIn(stack.publicUrl, login)
  const admin = createWorkspaceClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.boss}` },
  })
  for (const [id, members] of [
    [WS, ['alice', 'bob']],
    [OTHER, ['eve']],
  ] as const) {
    const path = { params: { path: { id } } }
    expect((await admin.POST('/api/workspaces', { body: { id, name: id } })).response.status).toBe(201)
    for (const login of members)
      await admin.POST('/api/workspaces/{id}/team-members', { ...path, body: { login } })
    await admin.POST('/api/workspaces/{id}/repositories', {
      ...path,
      body: { fullName: REPO, isDefaultForAgents: true },
    })
  }
  const creds = await createAicaClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.boss}` },
  }).PUT('/api/team-shared-creds', {
    body: { workspace: WS, kind: 'openai-compatible', apiKey: SHARED_KEY, baseURL: model.url },
  })
  expect(creds.data).toMatchObject({ hasKey: true })
}, 180_000)

afterAll(async () => {
  await stack?.stop()
  await model?.stop()
}, 60_000)

describe('generation', () => {
  test('generate -> the agent writes a version from the issue text, live, as aica:auto with the thread id', async () => {
    const issue = newIssue(
      'Login page hangs on Safari',
      'Clicking sign in spins forever on Safari 17.\n\nSecond paragraph.',
    )
    gh().addComment(REPO, issue.number, { author: 'bob', body: 'Same on iOS.' })
    const live: ArtifactLive[] = []
    const socket = new WebSocket(
      `${stack.publicUrl.replace('http', 'ws')}/api/workspaces/${WS}/artifacts/live`,
      {
        headers: { authorization: `Bearer ${tokens.bob}` },
      } as unknown as string[],
    )
    socket.addEventListener('message', (e) => live.push(JSON.parse(String(e.data))))
    await new Promise((resolve) => socket.addEventListener('open', resolve))

    expect((await artifactOf(issue.number)) ?? null).toBeNull()
    const started = await client('alice').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/start-generation',
      { params: issuePath(issue.number) },
    )
    expect(started.response.status).toBe(202)
    expect(started.data).toMatchObject({ status: 'generating', latestVersion: 0 })
    const threadId = started.data!.generation!.threadId!
    expect(threadId).toStartWith('thr_')

    const done = (await waitFor(
      async () => {
        const a = await artifactOf(issue.number)
        return a && a.status !== 'generating' ? a : undefined
      },
      120_000,
      'the generation to finish',
    )) as Artifact
    expect(done.status).toBe('ready')
    expect(done.latestVersion).toBe(1)
    expect(done.content).toContain('# Issue brief: Login page hangs on Safari')
    expect(done.content).toContain('Clicking sign in spins forever on Safari 17.')
    expect(done.content).not.toContain('Second paragraph')
    expect(done.content).toContain('1 comment so far.')
    expect(done.author).toMatchObject({
      kind: 'agent',
      name: 'issue-brief (built-in)',
      threadId,
      requestedBy: 'alice',
    })
    expect(model.requests.some((r) => r.script === 'artifact-brief' && r.token === SHARED_KEY)).toBe(true)

    const thread = await createAicaClient({
      baseUrl: stack.publicUrl,
      headers: { authorization: `Bearer ${tokens.bob}` },
    }).GET('/api/agent-sessions/{id}', { params: { path: { id: threadId } } })
    expect(thread.data?.thread).toMatchObject({ userId: 'aica:auto', visibility: 'team' })

    await waitFor(
      () => live.some((m) => m.artifact.id === done.id && m.artifact.latestVersion === 1),
      10_000,
      'the live version',
    )
    expect(
      live.some((m) => m.change === 'artifacts.generation.started' && m.artifact.status === 'generating'),
    ).toBe(true)
    socket.close()
  }, 180_000)

  test('two concurrent generate calls -> one thread; the other answers 409 with the running generation', async () => {
    const issue = newIssue('Typo in README', 'The word "recieve" is misspelled.')
    const call = (who: string) =>
      client(who).POST('/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/start-generation', {
        params: issuePath(issue.number),
      })
    const [a, b] = await Promise.all([call('alice'), call('bob')])
    const statuses = [a.response.status, b.response.status].sort()
    expect(statuses).toEqual([202, 409])
    const winner = (a.response.status === 202 ? a : b).data!
    const loser = (a.response.status === 409 ? a : b).error as { details: { generation: { id: string } } }
    expect(loser.details.generation.id).toBe(winner.generation!.id)
    const threads = await createAicaClient({
      baseUrl: stack.publicUrl,
      headers: { authorization: `Bearer ${tokens.alice}` },
    }).GET('/api/agent-sessions', { params: { query: { workspace: WS } } })
    expect(threads.data!.results.filter((t) => t.prompt.includes(`${REPO}#${issue.number}.`))).toHaveLength(1)
    await waitFor(
      async () => (await artifactOf(issue.number))?.status === 'ready',
      120_000,
      'the one version',
    )
    expect((await artifactOf(issue.number))?.latestVersion).toBe(1)
  }, 180_000)
})

describe('failed generations', () => {
  test('a stopped thread keeps the last good version; the artifact is failed with the reason', async () => {
    const issue = newIssue('Stop me', 'This generation gets stopped.')
    const claimed = await client('alice').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim',
      {
        params: issuePath(issue.number),
      },
    )
    const id = claimed.data!.id
    await client('alice').POST('/api/workspaces/{id}/artifacts/{artifactId}/edit', {
      params: artifactPath(id),
      body: { content: '# Good version', baseVersion: 0 },
    })
    const started = await client('bob').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/start-generation',
      { params: issuePath(issue.number) },
    )
    const threadId = started.data!.generation!.threadId!
    const stopped = await createAicaClient({
      baseUrl: stack.publicUrl,
      headers: { authorization: `Bearer ${tokens.bob}` },
    }).POST('/api/agent-sessions/{id}/stop', { params: { path: { id: threadId } } })
    expect(stopped.response.status).toBe(200)
    const failed = (await waitFor(
      async () => {
        const a = await artifactOf(issue.number)
        return a?.status === 'failed' ? a : undefined
      },
      30_000,
      'the generation to fail',
    )) as Artifact
    expect(failed).toMatchObject({
      latestVersion: 1,
      content: '# Good version',
      statusReason: 'The thread was stopped',
    })
    expect(failed.generation).toMatchObject({ status: 'failed', threadId, error: 'The thread was stopped' })
    // The slot is free again.
    const again = await client('bob').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/start-generation',
      { params: issuePath(issue.number) },
    )
    expect(again.response.status).toBe(202)
    await waitFor(
      async () => (await artifactOf(issue.number))?.latestVersion === 2,
      120_000,
      'the new version',
    )
  }, 180_000)
})

describe('claims and edits', () => {
  test('a claim race between two people: one wins, the other gets 409 naming the holder and expiry', async () => {
    const issue = newIssue('Claim race', 'Who edits first?')
    const claimAs = (who: string) =>
      client(who).POST('/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim', {
        params: issuePath(issue.number),
      })
    const [a, b] = await Promise.all([claimAs('alice'), claimAs('bob')])
    expect([a.response.status, b.response.status].sort()).toEqual([200, 409])
    const won = (a.response.status === 200 ? a : b).data!
    const lost = (a.response.status === 409 ? a : b).error as {
      message: string
      details: { claim: NonNullable<Artifact['claim']> }
    }
    expect(lost.details.claim).toEqual({
      login: won.claim!.login,
      claimedAt: won.claim!.claimedAt,
      expiresAt: won.claim!.expiresAt,
    })
    expect(lost.message).toContain(won.claim!.login)
    const loser = won.claim!.login === 'alice' ? 'bob' : 'alice'

    // The loser cannot edit or release; the holder renews; an admin may release.
    const edit = await client(loser).POST('/api/workspaces/{id}/artifacts/{artifactId}/edit', {
      params: artifactPath(won.id),
      body: { content: '# mine', baseVersion: 0 },
    })
    expect(edit.response.status).toBe(409)
    const release = await client(loser).POST('/api/workspaces/{id}/artifacts/{artifactId}/release', {
      params: artifactPath(won.id),
    })
    expect(release.response.status).toBe(403)
    const renewed = await claimAs(won.claim!.login)
    expect(renewed.response.status).toBe(200)
    expect(Date.parse(renewed.data!.claim!.expiresAt)).toBeGreaterThanOrEqual(
      Date.parse(won.claim!.expiresAt),
    )
    const freed = await client('boss').POST('/api/workspaces/{id}/artifacts/{artifactId}/release', {
      params: artifactPath(won.id),
    })
    expect(freed.data?.claim).toBeNull()
    expect((await claimAs(loser)).response.status).toBe(200)
  })

  test('an edit on a stale base -> 409 with the latest, and nothing is lost', async () => {
    const issue = newIssue('Edit race', 'Two people edit.')
    const claimed = await client('alice').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim',
      {
        params: issuePath(issue.number),
      },
    )
    const id = claimed.data!.id
    const editAs = (who: string, content: string, baseVersion: number) =>
      client(who).POST('/api/workspaces/{id}/artifacts/{artifactId}/edit', {
        params: artifactPath(id),
        body: { content, baseVersion },
      })
    expect((await editAs('alice', '# First\n\nby alice', 0)).data?.latestVersion).toBe(1)
    expect((await editAs('alice', '# Second\n\nby alice', 1)).data?.latestVersion).toBe(2)
    const stale = await editAs('alice', '# Made on version 1', 1)
    expect(stale.response.status).toBe(409)
    expect(stale.error).toMatchObject({
      error: 'conflict',
      details: { latestVersion: 2, latest: { number: 2, content: '# Second\n\nby alice' } },
    })
    await client('alice').POST('/api/workspaces/{id}/artifacts/{artifactId}/release', {
      params: artifactPath(id),
    })
    expect((await editAs('bob', '# Third\n\nby bob, merged', 2)).data?.latestVersion).toBe(3)

    const history = await client('bob').GET('/api/workspaces/{id}/artifacts/{artifactId}/versions', {
      params: { ...artifactPath(id), query: { page_size: 2 } },
    })
    expect(history.data!.results.map((v) => [v.number, v.author.name])).toEqual([
      [3, 'bob'],
      [2, 'alice'],
    ])
    expect(history.data!.pagination).toMatchObject({ hasMore: true, totalCount: 3 })
    const rest = await client('bob').GET('/api/workspaces/{id}/artifacts/{artifactId}/versions', {
      params: { ...artifactPath(id), query: { page_size: 2, cursor: history.data!.pagination.nextCursor } },
    })
    expect(rest.data!.results.map((v) => v.number)).toEqual([1])
    const first = await client('bob').GET('/api/workspaces/{id}/artifacts/{artifactId}/versions/{n}', {
      params: { path: { id: WS, artifactId: id, n: 1 } },
    })
    const nc = await connect(natsConnectOptions(stack.natsUrl))
    const byKey = await nc.request(
      'bosun.svc.artifacts.get',
      JSON.stringify({
        workspaceId: WS,
        kind: 'issue',
        owner: 'demo-org',
        repo: 'demo-repo',
        number: issue.number,
      }),
    )
    expect(byKey.json()).toMatchObject({ id, latestVersion: 3, content: '# Third\n\nby bob, merged' })
    const info = await nc.request('$SRV.INFO.bosun-artifacts')
    expect(
      (info.json() as { endpoints: Array<{ subject: string }> }).endpoints.map((e) => e.subject),
    ).toContain('bosun.svc.artifacts.get')
    await nc.close()
    expect(first.data).toMatchObject({
      number: 1,
      content: '# First\n\nby alice',
      author: { kind: 'person', name: 'alice' },
    })
  })
})

describe('freshness', () => {
  test('a comment webhook marks the artifact stale, naming why', async () => {
    const issue = newIssue('Stale me', 'Original text.')
    const claimed = await client('alice').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim',
      {
        params: issuePath(issue.number),
      },
    )
    await client('alice').POST('/api/workspaces/{id}/artifacts/{artifactId}/edit', {
      params: artifactPath(claimed.data!.id),
      body: { content: '# Brief', baseVersion: 0 },
    })
    expect((await artifactOf(issue.number))?.status).toBe('ready')
    gh().addComment(REPO, issue.number, { author: 'bob', body: 'New information.' }, { notify: true })
    const stale = await waitFor(
      async () => {
        const a = await artifactOf(issue.number)
        return a?.status === 'stale' ? a : undefined
      },
      30_000,
      'the artifact to go stale',
    )
    expect(stale?.statusReason).toBe('New comment by bob')
    expect(stale?.content).toBe('# Brief')
  }, 60_000)
})

describe('automatic regeneration', () => {
  test('with the setting on, a change regenerates the stale artifact exactly once, as aica:auto', async () => {
    const issue = newIssue('Auto regenerate', 'Keep this brief current.')
    const claimed = await client('alice').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim',
      {
        params: issuePath(issue.number),
      },
    )
    const id = claimed.data!.id
    await client('alice').POST('/api/workspaces/{id}/artifacts/{artifactId}/edit', {
      params: artifactPath(id),
      body: { content: '# By hand', baseVersion: 0 },
    })
    await client('alice').POST('/api/workspaces/{id}/artifacts/{artifactId}/release', {
      params: artifactPath(id),
    })
    const on = await client('alice').PUT('/api/workspaces/{id}/artifacts/settings', {
      params: { path: { id: WS } },
      body: { autoRegenerate: true },
    })
    expect(on.data).toEqual({ autoRegenerate: true })
    try {
      gh().addComment(REPO, issue.number, { author: 'bob', body: 'It also needs docs.' }, { notify: true })
      const regenerated = (await waitFor(
        async () => {
          const a = await artifactOf(issue.number)
          return a?.latestVersion === 2 && a.status !== 'generating' ? a : undefined
        },
        120_000,
        'the automatic regeneration',
      )) as Artifact
      expect(regenerated.status).toBe('ready')
      expect(regenerated.author).toMatchObject({ kind: 'agent', requestedBy: 'auto' })
      expect(regenerated.content).toContain('1 comment so far.')
      const threads = await createAicaClient({
        baseUrl: stack.publicUrl,
        headers: { authorization: `Bearer ${tokens.alice}` },
      }).GET('/api/agent-sessions', { params: { query: { workspace: WS } } })
      expect(threads.data!.results.filter((t) => t.prompt.includes(`${REPO}#${issue.number}.`))).toHaveLength(
        1,
      )
    } finally {
      await client('alice').PUT('/api/workspaces/{id}/artifacts/settings', {
        params: { path: { id: WS } },
        body: { autoRegenerate: false },
      })
    }
  }, 180_000)
})

describe('routes and scopes', () => {
  test('bad kinds and keys 400, unknown repositories and foreign workspaces 404, no scope 403, no credential 401', async () => {
    const issue = newIssue('Matrix', 'For the route matrix.')
    const claimed = await client('alice').POST(
      '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim',
      {
        params: issuePath(issue.number),
      },
    )
    const id = claimed.data!.id
    const base = `/api/workspaces/${WS}/artifacts`
    const key = `demo-org/demo-repo/${issue.number}`
    const cases: Array<[string, string, string, unknown, number]> = [
      ['alice', 'GET', `${base}/issue/${key}`, undefined, 200],
      ['alice', 'GET', `${base}/blog/${key}`, undefined, 400],
      ['alice', 'POST', `${base}/blog/${key}/claim`, undefined, 400],
      ['alice', 'GET', `${base}/issue/demo-org/demo-repo/0`, undefined, 400],
      ['alice', 'GET', `${base}/issue/demo-org/demo-repo/abc`, undefined, 400],
      ['alice', 'GET', `${base}/issue/demo-org/no-such-repo/1`, undefined, 404],
      ['alice', 'POST', `${base}/issue/demo-org/no-such-repo/1/start-generation`, undefined, 404],
      ['alice', 'GET', `${base}/pr/${key}`, undefined, 404],
      ['alice', 'GET', `${base}/not-an-id/versions`, undefined, 400],
      ['alice', 'GET', `${base}/art_0000000000000000/versions`, undefined, 404],
      ['alice', 'GET', `${base}/${id}/versions/99`, undefined, 404],
      ['alice', 'POST', `${base}/${id}/edit`, { content: 'x'.repeat(100_001), baseVersion: 0 }, 400],
      ['alice', 'POST', `${base}/${id}/edit`, { content: 'ok' }, 400],
      ['eve', 'GET', `/api/workspaces/${OTHER}/artifacts/issue/${key}`, undefined, 404],
      ['eve', 'GET', `${base}/issue/${key}`, undefined, 404],
      ['eve', 'GET', `${base}/${id}/versions`, undefined, 404],
      ['eve', 'POST', `${base}/issue/${key}/claim`, undefined, 404],
      ['eve', 'POST', `${base}/issue/${key}/start-generation`, undefined, 404],
      ['eve', 'POST', `${base}/${id}/release`, undefined, 404],
      ['eve', 'POST', `${base}/${id}/edit`, { content: 'x', baseVersion: 0 }, 404],
      ['eve', 'GET', `${base}/settings`, undefined, 404],
      ['alice', 'GET', `/api/workspaces/nope/artifacts/issue/${key}`, undefined, 404],
      ['boss', 'GET', `${base}/issue/${key}`, undefined, 200],
    ]
    for (const [who, method, path, body, status] of cases)
      expect(`${who} ${method} ${path} ${(await raw(who, method, path, body)).status}`).toBe(
        `${who} ${method} ${path} ${status}`,
      )

    const anonymous = await fetch(`${stack.publicUrl}${base}/issue/${key}`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ error: 'unauthorized' })

    // An API key with only the read scope reads but does not write.
    tokens.reader = await createApiKey(stack.publicUrl, tokens.alice!, ['team_artifacts:read'])
    const reads: Array<[string, string, number]> = [
      ['GET', `${base}/issue/${key}`, 200],
      ['GET', `${base}/${id}/versions`, 200],
      ['GET', `${base}/settings`, 200],
      ['POST', `${base}/issue/${key}/claim`, 403],
      ['POST', `${base}/issue/${key}/start-generation`, 403],
      ['POST', `${base}/${id}/release`, 403],
      ['POST', `${base}/${id}/edit`, 403],
      ['PUT', `${base}/settings`, 403],
    ]
    for (const [method, path, status] of reads) {
      const body =
        method === 'POST' && path.endsWith('edit')
          ? { content: 'x', baseVersion: 0 }
          : method === 'PUT'
            ? { autoRegenerate: true }
            : undefined
      const res = await raw('reader', method, path, body)
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} ${status}`)
      if (status >= 400) expect(await res.json()).toHaveProperty('error')
    }
    const settings = await client('alice').PUT('/api/workspaces/{id}/artifacts/settings', {
      params: { path: { id: WS } },
      body: { autoRegenerate: false },
    })
    expect(settings.data).toEqual({ autoRegenerate: false })
  })
})
