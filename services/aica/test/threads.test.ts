import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Thread, ThreadRealtimeMessage } from '@bosun/contracts/aica'
import { extraEnvRpc, type Item } from '@bosun/contracts/relay'
import { openRelay } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { renewToken } from '../src/relay/service'
import { type Harness, startHarness, type Who } from './harness'

// Suites start real processes and restart services; 5 s is too tight on a shared machine.
setDefaultTimeout(60_000)

let h: Harness
let WS: string

beforeAll(async () => {
  h = await startHarness()
  WS = await h.workspace(['alice', 'bob', 'vic'])
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

const thread = async (id: string, who: Who = 'alice') => {
  const res = await h.req('GET', `/api/agent-sessions/${id}`, who)
  expect(res.status).toBe(200)
  return (await res.json()) as { thread: Thread; items: Item[] }
}

function realtime(path: string, token: string) {
  const ws = new WebSocket(`${h.base.replace('http', 'ws')}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  } as unknown as string[])
  const messages: ThreadRealtimeMessage[] = []
  ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data))))
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('refused')))
  })
  const items = () => messages.flatMap((m) => (m.type === 'item' ? [m.item] : []))
  return {
    ws,
    messages,
    opened,
    items,
    until: (n: number) => waitFor(() => items().length >= n, 10_000, `${n} items`),
  }
}

describe('dispatch', () => {
  test('creates a worktree and a queued thread on the default repository, then hands it to the queue', async () => {
    const { thread: t, worktree } = await h.dispatch('alice', { workspace: WS, prompt: 'Fix the bug' })
    expect(worktree).toMatchObject({
      workspaceId: WS,
      repo: 'demo-org/demo-repo',
      ref: 'main',
      visibility: 'personal',
    })
    expect(t.userLogin).toBe('alice')
    const work = await h.workFor(t.id)
    expect(work.data).toMatchObject({
      threadId: t.id,
      worktreeId: worktree.id,
      workspaceId: WS,
      repo: 'demo-org/demo-repo',
      ref: 'main',
      prompt: 'Fix the bug',
      priority: 'normal',
      hasExtraEnv: false,
      relayPath: `/api/agent-sessions/${t.id}/relay`,
    })
    expect(work.data.relayToken).toStartWith('bosun_rly_')
    const snap = await thread(t.id)
    expect(snap.thread.status).toBe('starting')
    expect(Object.keys(snap.thread.statusTimes).sort()).toEqual(['queued', 'starting'])
    expect(snap.items.map((i) => i.body.kind)).toEqual(['status', 'user_message', 'status'])
    expect(snap.items.map((i) => i.seq)).toEqual([1, 2, 3])
  })

  test('refuses hijacking extraEnv names, foreign repositories and unknown workspaces', async () => {
    for (const name of [
      'PATH',
      'LD_PRELOAD',
      'LD_LIBRARY_PATH',
      'GH_TOKEN',
      'GITHUB_TOKEN',
      'HOME',
      'NODE_OPTIONS',
      'NODE_TLS_REJECT_UNAUTHORIZED',
      'BUN_CONFIG_VERBOSE_FETCH',
      'XDG_CONFIG_HOME',
      'GH_CONFIG_DIR',
      'GITHUB_API_URL',
      'GCONV_PATH',
      'GLIBC_TUNABLES',
      'BASH_ENV',
      'https_proxy',
    ]) {
      const res = await h.req('POST', '/api/agent-sessions', 'alice', {
        workspace: WS,
        prompt: 'x',
        extraEnv: { [name]: 'x' },
      })
      expect({ name, status: res.status }).toEqual({ name, status: 400 })
    }
    const foreign = await h.req('POST', '/api/agent-sessions', 'alice', {
      workspace: WS,
      prompt: 'x',
      repo: 'other/repo',
    })
    expect(foreign.status).toBe(400)
    const unknown = await h.req('POST', '/api/agent-sessions', 'alice', {
      workspace: 'no-such-ws',
      prompt: 'x',
    })
    expect(unknown.status).toBe(404)
    const callback = await h.req('POST', '/api/agent-sessions', 'alice', {
      workspace: WS,
      prompt: 'x',
      callbackUrl: 'http://user@evil.example/',
    })
    expect(callback.status).toBe(400)
  })

  test('extraEnv that cannot be passed is 400 at dispatch, naming the variable, never echoing a value', async () => {
    const secret = 'sk-live-do-not-echo'
    for (const extraEnv of [
      { MY_KEY: `${secret}\0tail` },
      { 'BAD-NAME': secret },
      { MY_KEY: 42 },
      { MY_KEY: { nested: secret } },
    ]) {
      const res = await h.req('POST', '/api/agent-sessions', 'alice', {
        workspace: WS,
        prompt: 'x',
        extraEnv,
      })
      const text = await res.text()
      expect({ extraEnv, status: res.status }).toEqual({ extraEnv, status: 400 })
      expect(JSON.parse(text).error).toBe('invalid_request')
      expect(text).not.toContain(secret)
    }
    const nul = await h.req('POST', '/api/agent-sessions', 'alice', {
      workspace: WS,
      prompt: 'x',
      extraEnv: { MY_KEY: `${secret}\0` },
    })
    expect(((await nul.json()) as { details: unknown }).details).toEqual([
      { in: 'body', path: '/extraEnv/MY_KEY', message: 'contains a NUL character' },
    ])
  })

  test("a request without a workspace uses the caller's only one; several is 400", async () => {
    const eveWs = await h.workspace(['eve'])
    const { thread: t } = await h.dispatch('eve', { prompt: 'hello' })
    expect(t.workspaceId).toBe(eveWs)
    // boss is an admin of every workspace, so naming none is ambiguous.
    const res = await h.req('POST', '/api/agent-sessions', 'boss', { prompt: 'x' })
    expect(res.status).toBe(400)
  })

  test('extraEnv is handed to the runner once, then the thread fails with a re-dispatch message', async () => {
    const { thread: t } = await h.dispatch('alice', {
      workspace: WS,
      prompt: 'use env',
      extraEnv: { MY_KEY: 'sekret' },
    })
    const work = await h.workFor(t.id)
    expect(work.data.hasExtraEnv).toBe(true)
    expect(JSON.stringify(work)).not.toContain('sekret')
    const first = await h.deps.bus.request(extraEnvRpc, { threadId: t.id, relayToken: work.data.relayToken })
    expect(first).toMatchObject({ state: 'ok', env: { MY_KEY: 'sekret' } })
    const second = await h.deps.bus.request(extraEnvRpc, { threadId: t.id, relayToken: work.data.relayToken })
    expect(second.state).toBe('gone')
    const snap = await thread(t.id)
    expect(snap.thread.status).toBe('failed')
    expect(snap.thread.error?.code).toBe('extra_env_gone')
    expect(snap.thread.error?.message).toContain('Dispatch again')
    await expect(
      h.deps.bus.request(extraEnvRpc, { threadId: t.id, relayToken: `bosun_rly_${'A'.repeat(43)}` }),
    ).rejects.toThrow()
  })
})

describe('relay and realtime', () => {
  test('the workspace feed tells each member the status changes of the threads they may see', async () => {
    const ws = await h.workspace(['alice', 'bob'])
    const feed = (token: string) => realtime(`/api/aica/threads/realtime?workspace=${ws}`, token)
    const alice = feed(h.tokens.alice)
    const bob = feed(h.tokens.bob)
    await Promise.all([alice.opened, bob.opened])
    const said = (f: typeof alice, id: string) =>
      (f.messages as unknown as { threadId?: string; status?: string }[]).some(
        (m) => m.threadId === id && m.status === 'queued',
      )
    const personal = await h.dispatch('alice', { workspace: ws, prompt: 'mine', visibility: 'personal' })
    const team = await h.dispatch('alice', { workspace: ws, prompt: 'ours', visibility: 'team' })
    await waitFor(() => said(bob, team.thread.id) && said(alice, team.thread.id), 10_000, 'the team thread')
    await waitFor(() => said(alice, personal.thread.id), 10_000, "alice's own thread")
    expect(said(bob, personal.thread.id)).toBe(false)
    alice.ws.close()
    bob.ws.close()
  })

  test('a realtime socket stops receiving once the worktree is made personal by its creator', async () => {
    // Its own workspace: the thread keeps its slot, which the shared one's later tests need.
    const { thread: t, worktree } = await h.dispatch('alice', {
      workspace: await h.workspace(['alice', 'bob']),
      prompt: 'Shared for a while',
      visibility: 'team',
    })
    const work = await h.workFor(t.id)
    const bob = realtime(`/api/agent-sessions/${t.id}/realtime`, h.tokens.bob)
    await bob.opened
    await bob.until(3)
    const closed = new Promise<number>((resolve) => bob.ws.addEventListener('close', (e) => resolve(e.code)))
    const made = await h.req('POST', `/api/worktrees/${worktree.id}/visibility`, 'alice', {
      visibility: 'personal',
    })
    expect(made.status).toBe(200)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    await relay.item(t.id, 'private', { kind: 'assistant_text', text: 'for alice only' })
    expect(await closed).toBe(4404)
    expect(JSON.stringify(bob.messages)).not.toContain('for alice only')
    relay.close()
  })

  test('runner frames become ordered items that a realtime client sees live; prompts and stop reach the runner', async () => {
    const { thread: t } = await h.dispatch('alice', { workspace: WS, prompt: 'Write a file' })
    const work = await h.workFor(t.id)
    const live = realtime(`/api/agent-sessions/${t.id}/realtime`, h.tokens.alice)
    await live.opened
    await live.until(3)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    const welcome = await relay.next('welcome')
    expect(welcome.threads).toEqual([
      { threadId: t.id, status: 'starting', lastSeq: 3, keys: [], pending: [] },
    ])
    relay.status(t.id, 'running')
    const s1 = await relay.item(t.id, 'p1', { kind: 'assistant_text', text: 'On it' })
    const s2 = await relay.item(t.id, 'p2', { kind: 'file_change', path: 'a.txt', change: 'added' })
    // A resent key is stored once and acked with the same seq.
    expect(await relay.item(t.id, 'p1', { kind: 'assistant_text', text: 'On it' })).toBe(s1)
    relay.status(t.id, 'idle')
    await live.until(7)
    const seqs = live.items().map((i) => i.seq)
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(live.items().map((i) => i.body.kind)).toEqual([
      'status',
      'user_message',
      'status',
      'status',
      'assistant_text',
      'file_change',
      'status',
    ])
    expect([s1, s2]).toEqual([5, 6])

    const prompted = await h.req('POST', `/api/agent-sessions/${t.id}/prompt`, 'alice', {
      text: 'And another',
    })
    expect(prompted.status).toBe(200)
    const prompt = await relay.next('prompt')
    expect(prompt).toMatchObject({ threadId: t.id, text: 'And another', by: 'alice' })
    expect((await thread(t.id)).thread.status).toBe('running')

    // The watcher's own (non-viewer) socket can prompt too.
    live.ws.send(JSON.stringify({ type: 'prompt', text: 'From the socket' }))
    expect(await relay.next('prompt')).toMatchObject({ threadId: t.id, text: 'From the socket', by: 'alice' })
    // A viewer socket cannot prompt.
    const viewer = realtime(`/api/agent-sessions/${t.id}/realtime?role=viewer`, h.tokens.alice)
    await viewer.opened
    viewer.ws.send(JSON.stringify({ type: 'prompt', text: 'nope' }))
    await waitFor(() => viewer.messages.some((m) => m.type === 'error'), 5000, 'viewer refusal')
    expect(relay.frames.some((f) => f.type === 'prompt' && f.text === 'nope')).toBe(false)

    const stopped = await h.req('POST', `/api/agent-sessions/${t.id}/stop`, 'alice')
    expect(stopped.status).toBe(200)
    expect(await relay.next('stop')).toMatchObject({ threadId: t.id })
    // A late runner update after the stop does not revive the thread.
    relay.status(t.id, 'running')
    await relay.item(t.id, 'late', { kind: 'assistant_text', text: 'late' })
    expect((await thread(t.id)).thread.status).toBe('stopped')
    expect((await h.req('POST', `/api/agent-sessions/${t.id}/stop`, 'alice')).status).toBe(409)

    const retried = await h.req('POST', `/api/agent-sessions/${t.id}/retry`, 'alice', {})
    expect(retried.status).toBe(200)
    const again = await h.workFor(t.id)
    expect((await thread(t.id)).thread).toMatchObject({ status: 'starting', attempt: 2 })
    expect(again.id).not.toBe(work.id)
    relay.close()
    live.ws.close()
    viewer.ws.close()
  })

  test('a prompt to an idle thread no runner holds (evicted) queues it as new work with that prompt', async () => {
    const ws = await h.workspace(['bob'])
    const { thread: t } = await h.dispatch('bob', { workspace: ws, prompt: 'Look around' })
    const work = await h.workFor(t.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    relay.status(t.id, 'running')
    relay.status(t.id, 'idle')
    await waitFor(async () => (await thread(t.id, 'bob')).thread.status === 'idle', 5000, 'idle')
    // The runner let the thread go to free its slot: the relay is closed, the thread stays idle.
    relay.close()
    await Bun.sleep(200)
    expect((await thread(t.id, 'bob')).thread.status).toBe('idle')

    const prompted = await h.req('POST', `/api/agent-sessions/${t.id}/prompt`, 'bob', { text: 'Go on' })
    expect(prompted.status).toBe(200)
    const again = await h.workFor(t.id)
    expect(again.id).not.toBe(work.id)
    expect(again.data).toMatchObject({ threadId: t.id, worktreeId: work.data.worktreeId, prompt: 'Go on' })
    const after = await thread(t.id, 'bob')
    expect(after.thread).toMatchObject({ status: 'starting', attempt: 2 })
    expect(after.items.map((i) => i.body)).toContainEqual(
      expect.objectContaining({ kind: 'user_message', text: 'Go on', by: 'bob' }),
    )
  })

  test('relay tokens work only on their own worktree; sessions and API keys are refused on relay sockets', async () => {
    const a = await h.dispatch('alice', { workspace: WS, prompt: 'a' })
    const b = await h.dispatch('alice', { workspace: WS, prompt: 'b' })
    const workA = await h.workFor(a.thread.id)
    const token = workA.data.relayToken
    // Relay token as query parameter works too.
    const viaQuery = await openRelay(h.base, `/api/worktrees/${a.worktree.id}/relay`, { query: token })
    await viaQuery.next('welcome')
    viaQuery.close()
    const refused = async (path: string, auth: { header?: string; query?: string }) => {
      const url = new URL(path, h.base)
      if (auth.query) url.searchParams.set('token', auth.query)
      const res = await fetch(url, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          ...(auth.header ? { authorization: `Bearer ${auth.header}` } : {}),
        },
      })
      return res.status
    }
    expect(await refused(`/api/agent-sessions/${b.thread.id}/relay`, { header: token })).toBe(404)
    expect(await refused(`/api/worktrees/${b.worktree.id}/relay`, { header: token })).toBe(404)
    expect(await refused(`/api/agent-sessions/${a.thread.id}/relay`, { header: h.tokens.alice })).toBe(401)
    const key = await h.apiKey('alice', ['aica:read', 'aica:write'])
    expect(await refused(`/api/agent-sessions/${a.thread.id}/relay`, { header: key })).toBe(401)
    expect(await refused(`/api/agent-sessions/${a.thread.id}/relay`, {})).toBe(401)
    expect(
      await refused(`/api/agent-sessions/${a.thread.id}/relay`, { header: `bosun_rly_${'x'.repeat(43)}` }),
    ).toBe(401)
    // ...and the relay token is refused everywhere else.
    for (const [method, path] of [
      ['GET', `/api/agent-sessions/${a.thread.id}`],
      ['GET', '/api/agent-sessions'],
      ['POST', `/api/agent-sessions/${a.thread.id}/stop`],
      ['GET', `/api/worktrees/${a.worktree.id}`],
    ] as const) {
      const res = await h.req(method, path, token)
      expect({ path, status: res.status }).toEqual({ path, status: 401 })
    }
    expect(await refused(`/api/agent-sessions/${a.thread.id}/realtime`, { header: token })).toBe(401)
    // Archiving the worktree revokes its tokens.
    expect((await h.req('POST', `/api/worktrees/${a.worktree.id}/archive`, 'alice')).status).toBe(200)
    expect(await refused(`/api/agent-sessions/${a.thread.id}/relay`, { header: token })).toBe(401)
    // A socket still open when its worktree was archived gets no fresh token to come back with.
    await expect(renewToken(h.deps, { worktreeId: a.worktree.id, threadId: null })).rejects.toThrow(
      'archived',
    )
    await h.req('POST', `/api/worktrees/${b.worktree.id}/archive`, 'alice')
  })

  test("a relay token ends when its worktree's last thread stops, not only at archive or expiry", async () => {
    const a = await h.dispatch('alice', { workspace: WS, prompt: 'a' })
    const token = (await h.workFor(a.thread.id)).data.relayToken
    const relay = await openRelay(h.base, `/api/worktrees/${a.worktree.id}/relay`, { query: token })
    await relay.next('welcome')
    relay.close()
    expect((await h.req('POST', `/api/agent-sessions/${a.thread.id}/stop`, 'alice')).status).toBe(200)
    const upgrade = await fetch(new URL(`/api/worktrees/${a.worktree.id}/relay?token=${token}`, h.base), {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    })
    expect(upgrade.status).toBe(401)
    await expect(
      h.deps.bus.request(extraEnvRpc, { threadId: a.thread.id, relayToken: token }),
    ).rejects.toMatchObject({ code: 'unauthorized' })
    await h.req('POST', `/api/worktrees/${a.worktree.id}/archive`, 'alice')
  })

  test('realtime resumes across a service restart with no gap and no duplicate', async () => {
    const { thread: t } = await h.dispatch('alice', { workspace: WS, prompt: 'long job' })
    const work = await h.workFor(t.id)
    let relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    relay.status(t.id, 'running')
    for (let i = 1; i <= 5; i++)
      await relay.item(t.id, `k${i}`, { kind: 'assistant_text', text: `part ${i}` })
    const first = realtime(`/api/agent-sessions/${t.id}/realtime`, h.tokens.alice)
    await first.until(9)
    const held = first.items()
    const last = held.at(-1)!.seq
    await h.restart()
    await first.ws.close()
    // The runner reconnects to the new instance and resends what it is unsure of.
    relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    const welcome = await relay.next('welcome')
    expect(welcome.threads[0]?.keys.sort()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5'])
    await relay.item(t.id, 'k5', { kind: 'assistant_text', text: 'part 5' })
    for (let i = 6; i <= 8; i++)
      await relay.item(t.id, `k${i}`, { kind: 'assistant_text', text: `part ${i}` })
    const resumed = realtime(`/api/agent-sessions/${t.id}/realtime?since=${last}`, h.tokens.alice)
    await resumed.until(3)
    relay.status(t.id, 'completed')
    await resumed.until(4)
    const all = [...held, ...resumed.items()].map((i) => i.seq)
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1))
    expect(resumed.items().map((i) => i.body.kind)).toEqual([
      'assistant_text',
      'assistant_text',
      'assistant_text',
      'status',
    ])
    relay.close()
    resumed.ws.close()
  })

  test('extraEnv held by an instance that restarted is gone: the thread fails and says to re-dispatch', async () => {
    const { thread: t } = await h.dispatch('alice', {
      workspace: WS,
      prompt: 'x',
      extraEnv: { TOKEN_FOR_TOOL: 'v' },
    })
    const work = await h.workFor(t.id)
    await h.restart()
    const answer = await h.deps.bus.request(extraEnvRpc, { threadId: t.id, relayToken: work.data.relayToken })
    expect(answer).toEqual({ state: 'gone', env: {} })
    const snap = await thread(t.id)
    expect(snap.thread).toMatchObject({ status: 'failed', error: { code: 'extra_env_gone' } })
    expect(snap.items.at(-1)?.body).toMatchObject({ kind: 'status', status: 'failed' })
  })

  test('instances fan out: runner on one, watcher and prompter on another', async () => {
    const other = await h.second()
    // A workspace of its own, so earlier tests' live threads do not fill its slots.
    const ws2 = await h.workspace(['alice'])
    try {
      const { thread: t } = await h.dispatch('alice', { workspace: ws2, prompt: 'scaled out' })
      const work = await h.workFor(t.id)
      const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
      await relay.next('welcome')
      const ws = new WebSocket(`${other.base.replace('http', 'ws')}/api/agent-sessions/${t.id}/realtime`, {
        headers: { authorization: `Bearer ${h.tokens.alice}` },
      } as unknown as string[])
      const seen: ThreadRealtimeMessage[] = []
      ws.addEventListener('message', (e) => seen.push(JSON.parse(String(e.data))))
      await new Promise((resolve) => ws.addEventListener('open', resolve))
      relay.status(t.id, 'running')
      await relay.item(t.id, 'x1', { kind: 'assistant_text', text: 'from instance one' })
      relay.send({ v: 1, type: 'delta', threadId: t.id, key: 'x2', text: 'typing' })
      relay.status(t.id, 'idle')
      await waitFor(
        () =>
          seen.some(
            (m) => m.type === 'item' && m.item.body.kind === 'status' && m.item.body.status === 'idle',
          ),
        10_000,
        'items through the other instance',
      )
      expect(seen.some((m) => m.type === 'delta' && m.text === 'typing')).toBe(true)
      const res = await fetch(`${other.base}/api/agent-sessions/${t.id}/prompt`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'via the other instance' }),
      })
      expect(res.status).toBe(200)
      expect(await relay.next('prompt')).toMatchObject({ text: 'via the other instance' })
      relay.close()
      ws.close()
      // extraEnv held in the other instance's memory reaches the runner whichever instance answers.
      const held = await fetch(`${other.base}/api/agent-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          workspace: ws2,
          prompt: 'env elsewhere',
          extraEnv: { TOOL_KEY: 'elsewhere' },
        }),
      })
      const { thread: e } = (await held.json()) as { thread: { id: string } }
      const ework = await h.workFor(e.id)
      const take = () =>
        h.deps.bus.request(extraEnvRpc, { threadId: e.id, relayToken: ework.data.relayToken })
      expect(await take()).toEqual({ state: 'ok', env: { TOOL_KEY: 'elsewhere' } })
      expect(await take()).toEqual({ state: 'gone', env: {} })
      // `gone` failed the thread, its worktree's last, and so ended its relay token.
      await expect(take()).rejects.toMatchObject({ code: 'unauthorized' })
    } finally {
      await other.stop()
    }
  })

  test("frames sent back to back are stored in the runner's order", async () => {
    const ws2 = await h.workspace(['alice'])
    const { thread: t } = await h.dispatch('alice', { workspace: ws2, prompt: 'burst' })
    const work = await h.workFor(t.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    relay.status(t.id, 'running')
    for (let i = 0; i < 30; i++)
      relay.send({
        v: 1,
        type: 'item',
        threadId: t.id,
        key: `b${i}`,
        body: { kind: 'assistant_text', text: `${i}` },
      })
    relay.status(t.id, 'idle')
    expect((await relay.next('welcome')).threads[0]?.status).toBe('starting')
    await waitFor(async () => (await thread(t.id)).thread.status === 'idle', 10_000, 'idle')
    const kinds = (await thread(t.id)).items
      .slice(3)
      .map((i) => (i.body.kind === 'status' ? i.body.status : i.key))
    expect(kinds).toEqual(['running', ...Array.from({ length: 30 }, (_, i) => `b${i}`), 'idle'])
    relay.close()
  })
})
