import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import type { LiveChange, RealtimeMessage, Snapshot } from '@bosun/contracts/workspace'
import { statements } from '@bosun/service-kit/db'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { type ServiceProcess, startService } from '@bosun/testkit/launcher'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { createApp } from '../src/app'
import { WorkspaceEnv } from '../src/env'
import { startWorkspace } from '../src/start'

const logger = createLogger('workspace-test', 'silent')
let stack: Stack
let ws: Awaited<ReturnType<typeof startWorkspace>>
let server: ReturnType<ReturnType<typeof createApp>['listen']>
let base: string
const tokens: Record<string, string> = {}

beforeAll(async () => {
  stack = await startStack({ services: ['auth'], env: { BOSUN_ADMIN_LOGINS: 'boss' } })
  for (const login of ['boss', 'alice', 'bob', 'vic']) stack.github!.state.addUser(login)
  await invite(stack.publicUrl, stack.bootstrapKey, 'alice')
  await invite(stack.publicUrl, stack.bootstrapKey, 'bob')
  await invite(stack.publicUrl, stack.bootstrapKey, 'vic', 'viewer')
  for (const login of ['boss', 'alice', 'bob', 'vic']) tokens[login] = await signIn(stack.publicUrl, login)
  const env = parseEnv(WorkspaceEnv, {
    // The all-subjects credential: the tests read BOSUN_EVENTS through this instance's bus.
    NATS_URL: stack.natsUrl,
    DATABASE_URL: `file:${join(stack.dataDir, 'workspace.db')}`,
    LOG_LEVEL: 'silent',
    PORT: '0',
  })
  ws = await startWorkspace(env, logger)
  server = createApp(ws.deps).listen({ port: 0, hostname: '127.0.0.1' })
  base = `http://127.0.0.1:${server.server!.port}`
})

afterAll(async () => {
  await server.stop()
  await ws.stop()
  await stack.stop()
})

const req = (method: string, path: string, who: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who] ?? who}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
const snap = async (WS: string, who = 'boss') =>
  (await (await req('GET', `/api/workspaces/${WS}/snapshot`, who)).json()) as Snapshot
const newId = () => `ws-${Bun.randomUUIDv7().slice(-12)}`

/** A workspace of the calling test's own: boss creates it (its first member) and adds `logins`. */
async function workspaceWith(...logins: string[]) {
  const WS = newId()
  expect((await req('POST', '/api/workspaces', 'boss', { id: WS, name: WS })).status).toBe(201)
  for (const login of logins)
    expect((await req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login })).status).toBe(201)
  return WS
}

describe('workspaces', () => {
  test('an admin creates a workspace and becomes its first member; duplicates are 409', async () => {
    const WS = newId()
    const res = await req('POST', '/api/workspaces', 'boss', { id: WS, name: 'Acme' })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ id: WS, name: 'Acme', memberCount: 1 })
    expect((await req('POST', '/api/workspaces', 'boss', { id: WS, name: 'Again' })).status).toBe(409)
    expect((await req('POST', '/api/workspaces', 'alice', { id: 'alice-ws', name: 'x' })).status).toBe(403)
    expect((await req('POST', '/api/workspaces', 'boss', { id: 'Bad Slug', name: 'x' })).status).toBe(400)
  })

  test('a non-member gets 404 on every route, not 403', async () => {
    const WS = await workspaceWith()
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/api/workspaces/${WS}/snapshot`],
      ['POST', `/api/workspaces/${WS}/team-members`, { login: 'bob' }],
      ['DELETE', `/api/workspaces/${WS}/team-members/boss`],
      ['POST', `/api/workspaces/${WS}/author-records`, { login: 'x', status: 'trusted' }],
      ['DELETE', `/api/workspaces/${WS}/author-records/x`],
      ['POST', `/api/workspaces/${WS}/starred-folders`, { name: 'f' }],
      ['PATCH', `/api/workspaces/${WS}/starred-folders/f`, { name: 'g' }],
      ['DELETE', `/api/workspaces/${WS}/starred-folders/f`],
      ['POST', `/api/workspaces/${WS}/starred-comments`, { commentId: 'c1', url: 'https://github.com/x' }],
      ['DELETE', `/api/workspaces/${WS}/starred-comments/c1`],
      ['GET', `/api/workspaces/${WS}/repositories`],
    ]
    for (const [method, path, body] of routes) {
      const res = await req(method, path, 'bob', body)
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 })
    }
    const list = (await (await req('GET', '/api/workspaces', 'bob')).json()) as {
      results: Array<{ id: string }>
    }
    expect(list.results.map((w) => w.id)).not.toContain(WS)
  })

  test('an admin adding members to a missing workspace gets 404 and leaves no row, beside adds that commit', async () => {
    const WS = await workspaceWith()
    const ghost = `ghost-${Date.now().toString(36)}`
    const answers = await Promise.all([
      req('POST', `/api/workspaces/${ghost}/team-members`, 'boss', { login: 'bob' }),
      req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login: 'carol' }),
      req('POST', `/api/workspaces/${ghost}/team-members`, 'boss', { login: 'dan' }),
    ])
    expect(answers.map((r) => r.status)).toEqual([404, 201, 404])
    expect(await answers[0]!.json()).toMatchObject({ error: 'not_found' })
    const { rows } = await statements(ws.deps.database.db).execute({
      sql: 'select count(*) as n from members where workspace_id = ?',
      args: [ghost],
    })
    expect(Number(rows[0]?.n)).toBe(0)
    const read = await req('GET', `/api/workspaces/${WS}/snapshot`, 'boss')
    expect(read.headers.get('content-type')).toStartWith('application/json')
    expect(read.headers.get('x-request-id')).toBeTruthy()
    expect(((await read.json()) as Snapshot).members.map((m) => m.login)).toContain('carol')
    expect((await req('DELETE', `/api/workspaces/${WS}/team-members/carol`, 'boss')).status).toBe(204)
  })

  test('members: add, duplicate 409, scope 403 for viewers, remove', async () => {
    const WS = await workspaceWith()
    expect((await req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login: 'alice' })).status).toBe(
      201,
    )
    expect((await req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login: 'ALICE' })).status).toBe(
      409,
    )
    expect((await req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login: 'vic' })).status).toBe(
      201,
    )
    expect((await req('POST', `/api/workspaces/${WS}/team-members`, 'vic', { login: 'bob' })).status).toBe(
      403,
    )
    const bad = await req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login: '-nope-' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', details: [{ path: '/login' }] })
    expect((await snap(WS, 'alice')).members.map((m) => m.login)).toEqual(['alice', 'boss', 'vic'])
    expect((await req('DELETE', `/api/workspaces/${WS}/team-members/vic`, 'alice')).status).toBe(204)
    expect((await req('DELETE', `/api/workspaces/${WS}/team-members/vic`, 'alice')).status).toBe(404)
    const page = (await (await req('GET', '/api/workspaces', 'alice')).json()) as {
      results: Array<{ id: string }>
    }
    expect(page.results.map((w) => w.id)).toContain(WS)
  })

  test('author records are set, re-assessed and removed', async () => {
    const WS = await workspaceWith('alice')
    const set = await req('POST', `/api/workspaces/${WS}/author-records`, 'alice', {
      login: 'drive-by',
      status: 'suspected-slop',
      note: 'bulk PRs',
    })
    expect(await set.json()).toMatchObject({ login: 'drive-by', status: 'suspected-slop', by: 'alice' })
    await req('POST', `/api/workspaces/${WS}/author-records`, 'alice', {
      login: 'drive-by',
      status: 'good-enough',
    })
    expect((await snap(WS)).authorRecords).toMatchObject([
      { login: 'drive-by', status: 'good-enough', note: '' },
    ])
    const wrong = await req('POST', `/api/workspaces/${WS}/author-records`, 'alice', {
      login: 'x',
      status: 'great',
    })
    expect(wrong.status).toBe(400)
    expect((await req('DELETE', `/api/workspaces/${WS}/author-records/drive-by`, 'alice')).status).toBe(204)
    expect((await snap(WS)).authorRecords).toEqual([])
  })

  test('check policies need team_policies:write; duplicates 409', async () => {
    const WS = await workspaceWith('alice')
    const body = { name: 'ci', requiredChecks: ['test', 'lint/*'], repos: ['acme/api'] }
    expect((await req('POST', `/api/workspaces/${WS}/check-policies`, 'alice', body)).status).toBe(403)
    expect((await req('POST', `/api/workspaces/${WS}/check-policies`, 'boss', body)).status).toBe(201)
    expect((await req('POST', `/api/workspaces/${WS}/check-policies`, 'boss', body)).status).toBe(409)
    expect((await snap(WS)).checkPolicies).toMatchObject([{ name: 'ci', requiredChecks: ['test', 'lint/*'] }])
    expect((await req('DELETE', `/api/workspaces/${WS}/check-policies/ci`, 'boss')).status).toBe(204)
    expect((await req('DELETE', `/api/workspaces/${WS}/check-policies/ci`, 'boss')).status).toBe(404)
  })

  test('starred comments move between folders; renaming and deleting folders carry them', async () => {
    const WS = await workspaceWith('alice')
    const path = `/api/workspaces/${WS}`
    expect((await req('POST', `${path}/starred-folders`, 'alice', { name: 'nits' })).status).toBe(201)
    expect((await req('POST', `${path}/starred-folders`, 'alice', { name: 'nits' })).status).toBe(409)
    expect((await req('POST', `${path}/starred-folders`, 'alice', { name: 'gems' })).status).toBe(201)
    const comment = { commentId: 'PRRC_1', url: 'https://github.com/acme/api/pull/1#r1', folder: 'nits' }
    expect((await req('POST', `${path}/starred-comments`, 'alice', comment)).status).toBe(200)
    expect(
      (await req('POST', `${path}/starred-comments`, 'alice', { ...comment, folder: 'missing' })).status,
    ).toBe(400)
    await req('POST', `${path}/starred-comments`, 'alice', { ...comment, folder: 'gems' })
    expect((await snap(WS)).starredComments).toMatchObject([{ commentId: 'PRRC_1', folder: 'gems' }])
    expect((await req('PATCH', `${path}/starred-folders/gems`, 'alice', { name: 'nits' })).status).toBe(409)
    expect((await req('PATCH', `${path}/starred-folders/gems`, 'alice', { name: 'best' })).status).toBe(200)
    expect((await snap(WS)).starredComments[0]?.folder).toBe('best')
    expect((await req('DELETE', `${path}/starred-folders/best`, 'alice')).status).toBe(204)
    const after = await snap(WS)
    expect(after.starredComments[0]?.folder).toBeNull()
    expect(after.starredFolders.map((f) => f.name)).toEqual(['nits'])
    expect((await req('DELETE', `${path}/starred-comments/PRRC_1`, 'alice')).status).toBe(204)
    expect((await req('DELETE', `${path}/starred-comments/PRRC_1`, 'alice')).status).toBe(404)
  })

  test('repositories: at most one default for agents, list filters, 409 and 404', async () => {
    const WS = await workspaceWith('alice')
    const path = `/api/workspaces/${WS}/repositories`
    expect((await req('GET', `${path}/default`, 'alice')).status).toBe(404)
    expect((await req('POST', path, 'boss', { fullName: 'acme/api', isDefaultForAgents: true })).status).toBe(
      201,
    )
    expect((await req('POST', path, 'boss', { fullName: 'acme/web', isDefaultForAgents: true })).status).toBe(
      201,
    )
    expect((await req('POST', path, 'boss', { fullName: 'ACME/web' })).status).toBe(409)
    expect(await (await req('GET', `${path}/default`, 'alice')).json()).toMatchObject({
      fullName: 'acme/web',
    })
    const defaults = (await (await req('GET', `${path}?is_default=true`, 'alice')).json()) as {
      results: Array<{ fullName: string }>
      pagination: { totalCount: number }
    }
    expect(defaults.results.map((r) => r.fullName)).toEqual(['acme/web'])
    const paged = (await (await req('GET', `${path}?page_size=1&direction=desc`, 'alice')).json()) as {
      results: Array<{ fullName: string }>
      pagination: { hasMore: boolean; nextCursor: string }
    }
    expect(paged.results.map((r) => r.fullName)).toEqual(['acme/web'])
    expect(paged.pagination.hasMore).toBe(true)
    const next = (await (
      await req('GET', `${path}?page_size=1&direction=desc&cursor=${paged.pagination.nextCursor}`, 'alice')
    ).json()) as { results: Array<{ fullName: string }> }
    expect(next.results.map((r) => r.fullName)).toEqual(['acme/api'])
    expect((await req('GET', `${path}?cursor=garbage`, 'alice')).status).toBe(400)
    expect((await req('DELETE', `${path}/acme/api`, 'boss')).status).toBe(204)
    expect((await req('DELETE', `${path}/acme/api`, 'boss')).status).toBe(404)
  })

  test('changes committed together are numbered one after another, each once, and fanned out together', async () => {
    const WS = await workspaceWith()
    const before = (await snap(WS)).seq
    const live: LiveChange[][] = []
    const sub = ws.deps.bus.nc.subscribe(`bosun.rt.workspace.${WS}`, {
      callback: (_, m) => live.push(m.json() as LiveChange[]),
    })
    const logins = Array.from({ length: 12 }, (_, i) => `burst-${i}`)
    const added = await Promise.all(
      logins.map((login) => req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login })),
    )
    expect(added.map((r) => r.status)).toEqual(logins.map(() => 201))
    const removed = await Promise.all(
      logins.map((login) => req('DELETE', `/api/workspaces/${WS}/team-members/${login}`, 'boss')),
    )
    expect(removed.map((r) => r.status)).toEqual(logins.map(() => 204))
    expect((await snap(WS)).seq).toBe(before + 24)
    const { rows } = await statements(ws.deps.database.db).execute({
      sql: 'select seq from changes where workspace_id = ? and seq > ? order by seq',
      args: [WS, before],
    })
    const expected = Array.from({ length: 24 }, (_, i) => before + 1 + i)
    expect(rows.map((r) => Number(r.seq))).toEqual(expected)
    await waitFor(() => live.flat().length >= 24, 5000, 'the live changes')
    sub.unsubscribe()
    expect(live.flat().map((c) => c.seq)).toEqual(expected)
    expect(live.length).toBeLessThan(24)
  })

  test('every change is one event in BOSUN_EVENTS, numbered like the snapshot', async () => {
    const WS = await workspaceWith('alice', 'vic')
    const seq = (await snap(WS)).seq
    await ws.relay.flushed()
    const { state } = await ws.deps.bus.jsm.streams.info(EVENTS_STREAM)
    const mine: Array<{ type: string; seq: number }> = []
    for (let at = state.first_seq; at <= state.last_seq; at++) {
      const m = await ws.deps.bus.jsm.streams.getMessage(EVENTS_STREAM, { seq: at }).catch(() => undefined)
      if (!m?.subject.startsWith('bosun.evt.workspace.')) continue
      const { type, data } = m.json<{ type: string; data: { workspaceId: string; seq: number } }>()
      if (data.workspaceId === WS) mine.push({ type, seq: data.seq })
    }
    expect(mine.map((e) => e.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1))
    expect(mine.map((e) => e.type)).toEqual([
      'workspace.created',
      'workspace.member.added',
      'workspace.member.added',
      'workspace.member.added',
    ])
  })

  test('a snapshot read from memory still refuses non-members and missing scopes, and follows writes', async () => {
    const WS = await workspaceWith('alice')
    const path = `/api/workspaces/${WS}/snapshot`
    const noRead = await createApiKey(stack.publicUrl, tokens.alice!, ['team_authors:read'])
    // Each caller twice: the second finds both the credential and the snapshot in memory.
    for (let i = 0; i < 2; i++) {
      expect((await req('GET', path, 'alice')).status).toBe(200)
      expect((await req('GET', path, 'bob')).status).toBe(404)
      expect((await req('GET', path, noRead)).status).toBe(403)
    }
    expect((await req('POST', `/api/workspaces/${WS}/team-members`, 'alice', { login: 'bob' })).status).toBe(
      201,
    )
    expect((await snap(WS, 'bob')).members.map((m) => m.login)).toContain('bob')
    expect((await req('DELETE', `/api/workspaces/${WS}/team-members/bob`, 'alice')).status).toBe(204)
    expect((await req('GET', path, 'bob')).status).toBe(404)
    expect((await snap(WS, 'alice')).members.map((m) => m.login)).not.toContain('bob')
  })

  test('API keys act as their owner, bounded by their scopes', async () => {
    const WS = await workspaceWith('alice')
    const readOnly = await createApiKey(stack.publicUrl, tokens.alice!, ['team_members:read'])
    expect((await req('GET', `/api/workspaces/${WS}/snapshot`, readOnly)).status).toBe(200)
    expect((await req('POST', `/api/workspaces/${WS}/starred-folders`, readOnly, { name: 'k' })).status).toBe(
      403,
    )
    expect(
      (await req('GET', `/api/workspaces/${WS}/snapshot`, 'psnip_not-a-real-key-000000000')).status,
    ).toBe(401)
  })
})

/** Opens a socket and collects its messages; `next(n)` waits for n more. */
function socket(url: string, token: string) {
  const messages: RealtimeMessage[] = []
  const sock = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as never)
  sock.onmessage = (e) => messages.push(JSON.parse(String(e.data)))
  return {
    messages,
    close: () => sock.close(),
    until: (n: number) => waitFor(() => messages.length >= n, 10_000, `${n} realtime messages`),
  }
}

describe('realtime', () => {
  test('a snapshot, then every change in order; resume with since misses nothing', async () => {
    const WS = await workspaceWith('alice')
    const url = `${base.replace('http', 'ws')}/api/workspaces/${WS}/realtime`
    const first = socket(url, tokens.alice!)
    await first.until(1)
    const start = first.messages[0]!
    expect(start.type).toBe('snapshot')
    for (const name of ['r1', 'r2', 'r3'])
      await req('POST', `/api/workspaces/${WS}/starred-folders`, 'alice', { name })
    await first.until(4)
    expect(first.messages.slice(1).map((m) => m.seq)).toEqual([start.seq + 1, start.seq + 2, start.seq + 3])
    first.close()

    for (const name of ['r4', 'r5'])
      await req('POST', `/api/workspaces/${WS}/starred-folders`, 'alice', { name })
    const resumed = socket(`${url}?since=${start.seq + 3}`, tokens.alice!)
    await resumed.until(2)
    await req('POST', `/api/workspaces/${WS}/starred-folders`, 'alice', { name: 'r6' })
    await resumed.until(3)
    expect(resumed.messages.map((m) => [m.type, m.seq])).toEqual([
      ['event', start.seq + 4],
      ['event', start.seq + 5],
      ['event', start.seq + 6],
    ])
    resumed.close()
  })

  test('refused before the upgrade without a session or membership', async () => {
    const WS = await workspaceWith()
    const url = `${base}/api/workspaces/${WS}/realtime`
    const upgrade = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    }
    expect((await fetch(url, { headers: upgrade })).status).toBe(401)
    expect(
      (await fetch(url, { headers: { ...upgrade, authorization: `Bearer ${tokens.bob}` } })).status,
    ).toBe(404)
  })

  test('a second instance on the same database serves sockets that see the first one’s writes', async () => {
    const WS = await workspaceWith('alice')
    let other: ServiceProcess | undefined
    try {
      other = await startService({
        name: 'workspace',
        env: {
          NATS_URL: stack.natsUrlFor('workspace'),
          DATABASE_URL: `file:${join(stack.dataDir, 'workspace.db')}`,
        },
      })
      const remote = socket(`${other.url.replace('http', 'ws')}/api/workspaces/${WS}/realtime`, tokens.alice!)
      await remote.until(1)
      const seq = remote.messages[0]!.seq
      await req('POST', `/api/workspaces/${WS}/team-members`, 'boss', { login: 'bob' })
      await remote.until(2)
      expect(remote.messages[1]).toMatchObject({
        type: 'event',
        seq: seq + 1,
        event: { type: 'workspace.member.added' },
      })
      const viaOther = await fetch(`${other.url}/api/workspaces/${WS}/team-members/bob`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${tokens.boss}` },
      })
      expect(viaOther.status).toBe(204)
      const local = socket(
        `${base.replace('http', 'ws')}/api/workspaces/${WS}/realtime?since=${seq + 1}`,
        tokens.alice!,
      )
      await local.until(1)
      expect(local.messages[0]).toMatchObject({ seq: seq + 2, event: { type: 'workspace.member.removed' } })
      remote.close()
      local.close()
    } finally {
      await other?.stop()
    }
  })
})
