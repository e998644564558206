import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createAicaClient } from '@bosun/clients/aica'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import type { ThreadRealtimeMessage } from '@bosun/contracts/aica'
import { openRelay, takeWork } from '@bosun/testkit/relay-client'
import { invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * AICA as deployed: a label added on the GitHub emulator becomes a signed webhook, the webhooks service
 * publishes it, aica auto-dispatches a thread onto the work queue; a protocol-level runner takes it and
 * relays items through the gateway's WebSocket proxy; a member watches them live through the gateway
 * and applies the agent's draft comment, which lands on the emulator.
 */
let stack: Stack
const tokens: Record<string, string> = {}
const WS = 'e2e-aica'
const REPO = 'demo-org/demo-repo'

const aica = (who: string) =>
  createAicaClient({ baseUrl: stack.publicUrl, headers: { authorization: `Bearer ${tokens[who]}` } })

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'webhooks', 'gateway'],
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
  expect((await admin.POST('/api/workspaces', { body: { id: WS, name: 'E2E AICA' } })).response.status).toBe(
    201,
  )
  await admin.POST('/api/workspaces/{id}/team-members', { ...id, body: { login: 'alice' } })
  await admin.POST('/api/workspaces/{id}/repositories', {
    ...id,
    body: { fullName: REPO, isDefaultForAgents: true },
  })
  const boss = aica('boss')
  expect(
    (await boss.POST('/api/auto-trigger-repos', { body: { workspace: WS, repo: REPO } })).response.status,
  ).toBe(201)
  const creds = await boss.PUT('/api/team-shared-creds', {
    body: {
      workspace: WS,
      kind: 'openai-compatible',
      apiKey: 'sk-e2e',
      baseURL: 'https://models.example/v1',
    },
  })
  expect(creds.data).toMatchObject({ hasKey: true })
}, 120_000)

afterAll(() => stack?.stop())

describe('aica end to end', () => {
  test('labeled issue -> auto thread -> relayed items live through the gateway -> draft applied on GitHub', async () => {
    const s = stack.github!.state
    const issue = s.addIssue(REPO, { title: 'Crash when saving', body: 'It crashes.' })
    // alice, a member, labels it: the repository triggers on members only.
    s.addLabels(s.requireRepo(REPO), issue, ['bosun:trigger'], {
      notify: true,
      sender: s.requireUser('alice'),
    })

    const alice = aica('alice')
    const found = await waitFor(
      async () => {
        const list = await alice.GET('/api/agent-sessions', { params: { query: { workspace: WS } } })
        return list.data?.results.find(
          (t) => t.userId === 'aica:auto' && t.prompt.includes(`#${issue.number}`),
        )
      },
      20_000,
      'the auto-dispatched thread',
    )
    const thread = found!
    expect(thread).toMatchObject({ visibility: 'team', repo: REPO, ref: 'main' })
    // mallory is signed in but not a member: the team thread does not exist for her.
    const hidden = await aica('mallory').GET('/api/agent-sessions/{id}', {
      params: { path: { id: thread.id } },
    })
    expect(hidden.response.status).toBe(404)

    let work = await takeWork(stack.natsUrl, 'normal')
    while (work && work.data.threadId !== thread.id) work = await takeWork(stack.natsUrl, 'normal')
    expect(work?.data.usesSharedCreds).toBe(true)

    const events: ThreadRealtimeMessage[] = []
    const live = new WebSocket(
      `${stack.publicUrl.replace('http', 'ws')}/api/agent-sessions/${thread.id}/realtime`,
      {
        headers: { authorization: `Bearer ${tokens.alice}` },
      } as unknown as string[],
    )
    live.addEventListener('message', (e) => events.push(JSON.parse(String(e.data))))
    await new Promise((resolve) => live.addEventListener('open', resolve))

    const relay = await openRelay(stack.publicUrl, work!.data.relayPath, { header: work!.data.relayToken })
    await relay.next('welcome')
    relay.status(thread.id, 'running')
    await relay.item(thread.id, 'edit', { kind: 'file_change', path: 'src/save.ts', change: 'modified' })
    await relay.item(thread.id, 'draft', {
      kind: 'draft_comment',
      repo: REPO,
      issueNumber: issue.number,
      body: 'Reproduced; fix in progress.',
    })
    relay.status(thread.id, 'idle')
    const items = () => events.flatMap((m) => (m.type === 'item' ? [m.item] : []))
    await waitFor(
      () => items().some((i) => i.body.kind === 'status' && i.body.status === 'idle'),
      10_000,
      'idle',
    )
    const seqs = items().map((i) => i.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))

    const draft = items().find((i) => i.key === 'draft')!
    const applied = await alice.POST('/api/agent-sessions/{id}/apply-draft/{itemId}', {
      params: { path: { id: thread.id, itemId: draft.id } },
    })
    expect(applied.response.status).toBe(200)
    expect(applied.data?.alreadyApplied).toBe(false)
    const comments = s.requireRepo(REPO).issues.get(issue.number)!.comments
    expect(comments.map((c) => c.body)).toContain('Reproduced; fix in progress.')
    relay.close()
    live.close()
  })
})
