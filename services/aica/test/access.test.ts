import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Thread } from '@bosun/contracts/aica'
import type { Item } from '@bosun/contracts/relay'
import { openRelay } from '@bosun/testkit/relay-client'
import { type Dispatched, type Harness, startHarness, type Who } from './harness'

// Suites start real processes and restart services; 5 s is too tight on a shared machine.
setDefaultTimeout(60_000)

let h: Harness
let WS: string
let personal: Dispatched
let draft: Item

const upgradeStatus = async (path: string, token: string) =>
  (
    await fetch(new URL(path, h.base), {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        authorization: `Bearer ${token}`,
      },
    })
  ).status

beforeAll(async () => {
  h = await startHarness()
  WS = await h.workspace(['alice', 'bob', 'vic'])
  await h.workspace(['eve'])
  personal = await h.dispatch('alice', { workspace: WS, prompt: 'private work' })
  const work = await h.workFor(personal.thread.id)
  const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
  await relay.next('welcome')
  relay.status(personal.thread.id, 'running')
  await relay.item(personal.thread.id, 'd1', {
    kind: 'draft_comment',
    repo: 'demo-org/demo-repo',
    issueNumber: 1,
    body: 'Draft reply',
  })
  relay.status(personal.thread.id, 'idle')
  const snap = (await (await h.req('GET', `/api/agent-sessions/${personal.thread.id}`, 'alice')).json()) as {
    items: Item[]
  }
  draft = snap.items.find((i) => i.body.kind === 'draft_comment')!
  relay.close()
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

/** Every route that names a thread or a worktree, with a body that would pass validation. */
const routes = (): Array<[string, string, unknown?]> => {
  const id = personal.thread.id
  const wt = personal.worktree.id
  return [
    ['GET', `/api/agent-sessions/${id}`],
    ['POST', `/api/agent-sessions/${id}/fork`, { itemId: draft.id }],
    ['POST', `/api/agent-sessions/${id}/stop`],
    ['POST', `/api/agent-sessions/${id}/retry`, {}],
    ['POST', `/api/agent-sessions/${id}/prompt`, { text: 'hi' }],
    ['POST', `/api/agent-sessions/${id}/apply-draft/${draft.id}`],
    ['GET', `/api/worktrees/${wt}`],
    ['POST', `/api/worktrees/${wt}/threads`, { prompt: 'more' }],
    ['POST', `/api/worktrees/${wt}/clone`, { prompt: 'copy' }],
    ['POST', `/api/worktrees/${wt}/visibility`, { visibility: 'team' }],
    ['POST', `/api/agent-sessions/${id}/review`, { approved: false }],
    ['POST', `/api/agent-sessions/${id}/request-changes`, { comment: 'again' }],
    ['POST', `/api/worktrees/${wt}/archive`],
    ['POST', `/api/agent-sessions/${id}/archive`],
  ]
}

const statuses = async (who: Who | string) => {
  const out: Record<string, number> = {}
  for (const [method, path, body] of routes())
    out[`${method} ${path}`] = (await h.req(method, path, who, body)).status
  return out
}
const all = (codes: Record<string, number>, code: number) =>
  Object.fromEntries(Object.keys(codes).map((k) => [k, code]))

const listed = async (who: Who) => {
  const threads = (await (await h.req('GET', '/api/agent-sessions?userId=all', who)).json()) as {
    results: Thread[]
  }
  const worktrees = (await (await h.req('GET', '/api/worktrees', who)).json()) as {
    results: Array<{ id: string }>
  }
  return {
    thread: threads.results.some((t) => t.id === personal.thread.id),
    worktree: worktrees.results.some((w) => w.id === personal.worktree.id),
  }
}

describe('visibility', () => {
  test('another member gets 404 on every route and socket of a personal thread, and never sees it listed', async () => {
    const bob = await statuses('bob')
    expect(bob).toEqual(all(bob, 404))
    expect(await upgradeStatus(`/api/agent-sessions/${personal.thread.id}/realtime`, h.tokens.bob)).toBe(404)
    expect(
      await upgradeStatus(`/api/agent-sessions/${personal.thread.id}/realtime?role=viewer`, h.tokens.bob),
    ).toBe(404)
    expect(await listed('bob')).toEqual({ thread: false, worktree: false })
    expect(await listed('alice')).toEqual({ thread: true, worktree: true })
  })

  test('a non-member gets 404 everywhere, even with an API key holding every aica scope', async () => {
    const eve = await statuses('eve')
    expect(eve).toEqual(all(eve, 404))
    const key = await h.apiKey('eve', ['aica:read', 'aica:write'])
    const viaKey = await statuses(key)
    expect(viaKey).toEqual(all(viaKey, 404))
    expect(await upgradeStatus(`/api/agent-sessions/${personal.thread.id}/realtime`, h.tokens.eve)).toBe(404)
    expect((await h.req('GET', `/api/agent-sessions?workspace=${WS}`, 'eve')).status).toBe(404)
  })

  test('scopes: a viewer is refused writes with 403 before anything is looked up; unsigned is 401', async () => {
    for (const [method, path, body] of routes().filter(([m]) => m === 'POST')) {
      const res = await h.req(method, path, 'vic', body)
      expect({ path, status: res.status }).toEqual({ path, status: 403 })
    }
    const key = await h.apiKey('alice', ['aica:read'])
    expect((await h.req('POST', `/api/agent-sessions/${personal.thread.id}/stop`, key)).status).toBe(403)
    expect((await h.req('GET', `/api/agent-sessions/${personal.thread.id}`, key)).status).toBe(200)
    expect((await fetch(`${h.base}/api/agent-sessions/${personal.thread.id}`)).status).toBe(401)
    expect((await fetch(`${h.base}/api/agent-sessions`)).status).toBe(401)
  })

  test('a team thread is readable by members (viewer sockets included) but only its creator changes it', async () => {
    const toTeam = await h.req('POST', `/api/worktrees/${personal.worktree.id}/visibility`, 'alice', {
      visibility: 'team',
    })
    expect(toTeam.status).toBe(200)
    expect((await h.req('GET', `/api/agent-sessions/${personal.thread.id}`, 'bob')).status).toBe(200)
    expect((await h.req('GET', `/api/agent-sessions/${personal.thread.id}`, 'vic')).status).toBe(200)
    expect(
      await upgradeStatus(`/api/agent-sessions/${personal.thread.id}/realtime?role=viewer`, h.tokens.vic),
    ).toBe(101)
    expect(await listed('bob')).toEqual({ thread: true, worktree: true })
    for (const [method, path, body] of routes().filter(([m, p]) => m === 'POST' && !p.endsWith('/clone'))) {
      const res = await h.req(method, path, 'bob', body)
      expect({ path, status: res.status }).toEqual({ path, status: 403 })
    }
    const eve = await statuses('eve')
    expect(eve).toEqual(all(eve, 404))
  })
})
