import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Thread, ThreadsRealtimeMessage } from '@bosun/contracts/aica'
import type { UsagePage } from '@bosun/contracts/usage'
import { openRelay, type RelayClient } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { type Harness, startHarness, type Who } from './harness'

setDefaultTimeout(60_000)

let h: Harness
let WS: string
const relays: RelayClient[] = []

beforeAll(async () => {
  h = await startHarness()
  WS = await h.workspace(['alice', 'bob'])
}, 120_000)
afterAll(async () => {
  for (const r of relays) r.close()
  await h.stop()
}, 60_000)

/** A thread of `who` with a runner's relay open on it. */
async function running(who: Who, prompt: string) {
  const { thread } = await h.dispatch(who, { workspace: WS, prompt })
  const work = await h.workFor(thread.id)
  const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
  relays.push(relay)
  await relay.next('welcome')
  return { thread, relay }
}

const getThread = async (id: string, who: Who) =>
  ((await (await h.req('GET', `/api/agent-sessions/${id}`, who)).json()) as { thread: Thread }).thread

const usage = async (who: Who, query: string) => {
  const res = await h.req('GET', `/api/usage?workspace=${WS}&${query}`, who)
  return { status: res.status, body: (await res.json()) as UsagePage }
}

const turn = (input: number, output: number, extra: Record<string, number> = {}) => ({
  kind: 'usage' as const,
  inputTokens: input,
  outputTokens: output,
  ...extra,
})

describe('usage', () => {
  let aliceThread: string
  let bobThread: string

  test("a thread's totals are the sum of its usage items, a resent item counted once", async () => {
    const a = await running('alice', 'Alice works')
    const b = await running('bob', 'Bob works')
    aliceThread = a.thread.id
    bobThread = b.thread.id
    await a.relay.item(a.thread.id, 'usage:m1', turn(100, 10, { cacheReadTokens: 50, costUsd: 0.25 }))
    await a.relay.item(a.thread.id, 'usage:m2', turn(200, 20, { cacheWriteTokens: 7, costUsd: 0.5 }))
    // The runner resends after a reconnect: same key, stored and counted once.
    await a.relay.item(a.thread.id, 'usage:m2', turn(200, 20, { cacheWriteTokens: 7, costUsd: 0.5 }))
    await b.relay.item(b.thread.id, 'usage:m1', turn(1000, 100))

    expect((await getThread(a.thread.id, 'alice')).usage).toEqual({
      inputTokens: 300,
      outputTokens: 30,
      cacheReadTokens: 50,
      cacheWriteTokens: 7,
      costUsd: 0.75,
    })
    expect((await getThread(b.thread.id, 'bob')).usage).toMatchObject({
      inputTokens: 1000,
      outputTokens: 100,
    })
  })

  test('members see their own usage; team_shared_creds:read sees everyone, grouped as asked', async () => {
    const mine = await usage('alice', 'groupBy=user')
    expect(mine.status).toBe(200)
    expect(mine.body.results).toEqual([
      expect.objectContaining({ label: 'alice', records: 2, inputTokens: 300, costUsd: 0.75 }),
    ])
    expect(mine.body.totals.inputTokens).toBe(300)

    const all = await usage('boss', 'groupBy=user')
    expect(all.body.results.map((r) => [r.label, r.inputTokens]).sort()).toEqual([
      ['alice', 300],
      ['bob', 1000],
    ])
    expect(all.body.totals).toMatchObject({ inputTokens: 1300, outputTokens: 130 })

    const byThread = await usage('boss', 'groupBy=thread')
    expect(Object.fromEntries(byThread.body.results.map((r) => [r.key, r.outputTokens]))).toEqual({
      [aliceThread]: 30,
      [bobThread]: 100,
    })
    const byRepo = await usage('boss', 'groupBy=repo')
    expect(byRepo.body.results).toEqual([
      expect.objectContaining({ key: 'demo-org/demo-repo', records: 3, inputTokens: 1300 }),
    ])
    const today = new Date().toISOString().slice(0, 10)
    const byDay = await usage('bob', `groupBy=day&from=${today}&to=${today}`)
    expect(byDay.body.results).toEqual([expect.objectContaining({ key: today, inputTokens: 1000 })])
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    expect((await usage('boss', `from=${tomorrow}`)).body).toMatchObject({
      results: [],
      totals: { inputTokens: 0 },
    })
  })

  test('pages by cursor; strangers get 404, bad queries 400', async () => {
    const first = await usage('boss', 'groupBy=thread&page_size=1')
    expect(first.body.pagination).toMatchObject({ totalCount: 2, returnedCount: 1, hasMore: true })
    const second = await usage(
      'boss',
      `groupBy=thread&page_size=1&cursor=${first.body.pagination.nextCursor}`,
    )
    expect(second.body.pagination).toMatchObject({ returnedCount: 1, hasMore: false })
    expect(second.body.results[0]!.key).not.toBe(first.body.results[0]!.key)
    // Totals cover every group, not the page.
    expect(second.body.totals.inputTokens).toBe(1300)

    expect((await usage('eve', 'groupBy=user')).status).toBe(404)
    expect((await usage('alice', 'groupBy=password')).status).toBe(400)
    expect((await usage('alice', 'from=yesterday')).status).toBe(400)
    expect((await h.req('GET', '/api/usage?workspace=../x', 'alice')).status).toBe(400)
    expect((await usage('alice', 'cursor=forged')).status).toBe(400)
  })
})

describe('line counts', () => {
  test("the runner's counts reach the thread snapshot and the workspace feed; others' feeds stay quiet", async () => {
    const { thread, relay } = await running('alice', 'Change files')
    const feed = (who: Who) => {
      const ws = new WebSocket(`${h.base.replace('http', 'ws')}/api/aica/threads/realtime?workspace=${WS}`, {
        headers: { authorization: `Bearer ${h.tokens[who]}` },
      } as unknown as string[])
      const messages: ThreadsRealtimeMessage[] = []
      ws.addEventListener('message', (e) => messages.push(JSON.parse(String(e.data))))
      return { ws, messages, opened: new Promise((r) => ws.addEventListener('open', r)) }
    }
    const alice = feed('alice')
    const bob = feed('bob')
    await Promise.all([alice.opened, bob.opened])
    expect((await getThread(thread.id, 'alice')).changes).toBeNull()

    relay.send({
      v: 1,
      type: 'changes',
      worktreeId: thread.worktreeId,
      counts: { files: 2, additions: 5, deletions: 1 },
    })
    const summary = await waitFor(
      () => alice.messages.find((m) => m.type === 'summary' && m.threadId === thread.id),
      10_000,
      'the summary on the feed',
    )
    expect(summary).toMatchObject({ changes: { files: 2, additions: 5, deletions: 1 } })
    expect((await getThread(thread.id, 'alice')).changes).toEqual({ files: 2, additions: 5, deletions: 1 })
    // bob's feed heard the same event and did not show alice's personal thread.
    await relay.item(thread.id, 'usage:x', turn(1, 1))
    await waitFor(
      () => alice.messages.filter((m) => m.type === 'summary').length >= 2,
      10_000,
      'usage summary',
    )
    expect(bob.messages.filter((m) => m.threadId === thread.id)).toEqual([])
    // Another worktree's counts cannot be set through this relay.
    relay.send({
      v: 1,
      type: 'changes',
      worktreeId: 'wt_notthisoneatall',
      counts: { files: 9, additions: 9, deletions: 9 },
    })
    expect(await relay.next('error')).toMatchObject({ code: 'not_found' })
    alice.ws.close()
    bob.ws.close()
  })
})

describe('diff and files without a runner', () => {
  test("someone else's personal thread is 404; with no checkout and no backup the diff is empty", async () => {
    const { thread } = await h.dispatch('alice', { workspace: WS, prompt: 'Nothing yet' })
    expect((await h.req('GET', `/api/agent-sessions/${thread.id}/diff`, 'bob')).status).toBe(404)
    expect((await h.req('GET', `/api/worktrees/${thread.worktreeId}/files/a.txt`, 'bob')).status).toBe(404)
    const res = await h.req('GET', `/api/agent-sessions/${thread.id}/diff`, 'alice')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      worktreeId: thread.worktreeId,
      source: 'backup',
      baseSha: null,
      files: [],
      totals: { files: 0, additions: 0, deletions: 0 },
    })
    expect((await h.req('GET', `/api/worktrees/${thread.worktreeId}/files/a.txt`, 'alice')).status).toBe(404)
  })

  test('a file path that climbs out, is absolute, names .git or holds a NUL is refused with 400', async () => {
    const { thread } = await h.dispatch('alice', { workspace: WS, prompt: 'Paths' })
    const base = `/api/worktrees/${thread.worktreeId}/files/`
    for (const bad of [
      '..%2Fsecret',
      'a%2F..%2F..%2Fb',
      '%2Fetc%2Fpasswd',
      '/etc/passwd',
      '.git/config',
      'a%00b',
      'a%0ab',
      'a%5Cb',
      '%E0%A4%A',
    ]) {
      const res = await h.req('GET', base + bad, 'alice')
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 })
      expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    }
  })
})
