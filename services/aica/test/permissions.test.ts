import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { HumanRequest, Thread } from '@bosun/contracts/aica'
import type { HumanAsk } from '@bosun/contracts/permissions'
import type { Item } from '@bosun/contracts/relay'
import { openRelay, type RelayClient } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { type Dispatched, type Harness, startHarness } from './harness'

setDefaultTimeout(60_000)

let h: Harness
let WS: string

beforeAll(async () => {
  h = await startHarness({ BOSUN_AICA_CONCURRENCY: '20' })
  WS = await h.workspace(['alice', 'bob', 'vic'])
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

const bash: HumanAsk = {
  kind: 'permission',
  permission: 'bash',
  patterns: ['rm -rf build'],
  description: 'rm -rf build',
}
const question: HumanAsk = {
  kind: 'question',
  questions: [{ question: 'Which colour?', options: [{ label: 'red' }, { label: 'blue' }] }],
}

/** A running thread of `who` with a relay socket playing its runner. */
async function running(who: 'alice' | 'bob', body: Record<string, unknown> = {}) {
  const d: Dispatched = await h.dispatch(who, { workspace: WS, prompt: 'work', ...body })
  const work = await h.workFor(d.thread.id)
  const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
  await relay.next('welcome')
  relay.status(d.thread.id, 'running')
  await waitFor(async () => (await thread(d.thread.id)).status === 'running', 10_000, 'running')
  return { id: d.thread.id, relay, work }
}
const snapshot = async (id: string) =>
  (await (await h.req('GET', `/api/agent-sessions/${id}`, 'alice')).json()) as {
    thread: Thread
    items: Item[]
  }
const thread = async (id: string) => (await snapshot(id)).thread
const ask = (relay: RelayClient, id: string, requestId: string, a: HumanAsk) =>
  relay.send({ v: 1, type: 'ask', threadId: id, requestId, ask: a })
const waitStatus = (id: string, status: string) =>
  waitFor(async () => (await thread(id)).status === status || undefined, 10_000, status)

describe('permission requests', () => {
  test('an ask makes the thread wait; once answers, the runner is told, the thread runs again', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'per_1', bash)
    await waitStatus(id, 'waiting_permission')
    const pending = (await (await h.req('GET', `/api/agent-sessions/${id}/requests`, 'alice')).json()) as {
      results: HumanRequest[]
    }
    expect(pending.results.map((r) => [r.requestId, r.state])).toEqual([['per_1', 'pending']])
    const res = await h.req('POST', `/api/agent-sessions/${id}/permissions/per_1`, 'alice', {
      decision: 'once',
    })
    expect(res.status).toBe(200)
    const answer = await relay.next('answer', (a) => a.requestId === 'per_1')
    expect(answer.reply).toEqual({ kind: 'permission', decision: 'once' })
    await waitStatus(id, 'running')
    const items = (await snapshot(id)).items.map((i) => i.body)
    expect(items).toContainEqual(
      expect.objectContaining({ kind: 'permission_request', requestId: 'per_1', tool: 'bash' }),
    )
    expect(items).toContainEqual({
      kind: 'permission_decision',
      requestId: 'per_1',
      decision: 'once',
      by: 'alice',
    })
    // Settled: a second answer and an unknown request are conflicts.
    expect(
      (await h.req('POST', `/api/agent-sessions/${id}/permissions/per_1`, 'alice', { decision: 'reject' }))
        .status,
    ).toBe(409)
    expect(
      (await h.req('POST', `/api/agent-sessions/${id}/permissions/nope`, 'alice', { decision: 'once' }))
        .status,
    ).toBe(409)
    relay.close()
  })

  test('two concurrent answers: one 200, one 409', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'per_race', bash)
    await waitStatus(id, 'waiting_permission')
    const codes = await Promise.all(
      (['once', 'reject'] as const).map(
        async (decision) =>
          (await h.req('POST', `/api/agent-sessions/${id}/permissions/per_race`, 'alice', { decision }))
            .status,
      ),
    )
    expect(codes.sort()).toEqual([200, 409])
    const decisions = (await snapshot(id)).items.filter((i) => i.body.kind === 'permission_decision')
    expect(decisions).toHaveLength(1)
    relay.close()
  })

  test('access: others see 404 on a personal thread, a viewer cannot decide, the body is validated', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'per_acc', bash)
    await waitStatus(id, 'waiting_permission')
    const path = `/api/agent-sessions/${id}/permissions/per_acc`
    expect((await h.req('POST', path, 'bob', { decision: 'once' })).status).toBe(404)
    expect((await h.req('GET', `/api/agent-sessions/${id}/requests`, 'bob')).status).toBe(404)
    expect((await h.req('POST', `/api/agent-sessions/${id}/auto-approve`, 'bob', { on: true })).status).toBe(
      404,
    )
    expect((await h.req('POST', path, 'eve', { decision: 'once' })).status).toBe(404)
    expect((await h.req('POST', path, 'alice', { decision: 'maybe' })).status).toBe(400)
    expect((await h.req('POST', path, 'alice', { decision: 'once', message: 'x'.repeat(5000) })).status).toBe(
      400,
    )
    expect((await h.req('POST', path, 'alice', {})).status).toBe(400)
    // A question answer on a permission request is refused, and the request stays pending.
    expect(
      (await h.req('POST', `/api/agent-sessions/${id}/questions/per_acc/answer`, 'alice', { answer: 'x' }))
        .status,
    ).toBe(409)
    expect((await thread(id)).status).toBe('waiting_permission')
    relay.close()
  })

  test('on a team thread a member who is not the owner gets 403, the owner decides', async () => {
    const { id, relay } = await running('alice', { visibility: 'team' })
    ask(relay, id, 'per_team', bash)
    await waitStatus(id, 'waiting_permission')
    const path = `/api/agent-sessions/${id}/permissions/per_team`
    expect((await h.req('POST', path, 'bob', { decision: 'once' })).status).toBe(403)
    expect((await h.req('GET', `/api/agent-sessions/${id}/requests`, 'bob')).status).toBe(200)
    expect((await h.req('POST', path, 'alice', { decision: 'always' })).status).toBe(200)
    relay.close()
  })

  test('auto-approve grants what waits and what comes, each grant an item', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'per_a1', bash)
    await waitStatus(id, 'waiting_permission')
    const on = await h.req('POST', `/api/agent-sessions/${id}/auto-approve`, 'alice', { on: true })
    expect(await on.json()).toEqual({ threadId: id, autoApprove: true })
    await relay.next('answer', (a) => a.requestId === 'per_a1')
    await waitStatus(id, 'running')
    ask(relay, id, 'per_a2', bash)
    await relay.next('answer', (a) => a.requestId === 'per_a2')
    const snap = await snapshot(id)
    expect(snap.thread.autoApprove).toBe(true)
    expect(snap.thread.statusTimes.waiting_permission).toBeDefined()
    const grants = snap.items.filter((i) => i.body.kind === 'permission_decision').map((i) => i.body)
    expect(grants).toEqual([
      { kind: 'permission_decision', requestId: 'per_a1', decision: 'once', by: 'auto-approve' },
      { kind: 'permission_decision', requestId: 'per_a2', decision: 'once', by: 'auto-approve' },
    ])
    // Questions are not permissions: auto-approve leaves them to a person.
    ask(relay, id, 'que_a3', question)
    await waitStatus(id, 'waiting_answer')
    relay.close()
  })
})

describe('questions', () => {
  test('a question waits; a text answer goes to each question, then 409', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'que_1', question)
    await waitStatus(id, 'waiting_answer')
    const path = `/api/agent-sessions/${id}/questions/que_1/answer`
    expect((await h.req('POST', path, 'alice', { answer: '' })).status).toBe(400)
    expect((await h.req('POST', path, 'alice', { answer: 'blue' })).status).toBe(200)
    const answer = await relay.next('answer', (a) => a.requestId === 'que_1')
    expect(answer.reply).toEqual({ kind: 'question', answers: [['blue']] })
    await waitStatus(id, 'running')
    expect((await h.req('POST', path, 'alice', { answer: 'red' })).status).toBe(409)
    relay.close()
  })
})

describe('answers and asks that would wait forever', () => {
  test('a list answer needs one entry per question: another count is 400 and the request stays pending', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'que_n', question)
    await waitStatus(id, 'waiting_answer')
    const path = `/api/agent-sessions/${id}/questions/que_n/answer`
    const two = await h.req('POST', path, 'alice', { answer: [['red'], ['blue']] })
    expect(two.status).toBe(400)
    expect(((await two.json()) as { message: string }).message).toContain('one answer per question')
    expect((await thread(id)).status).toBe('waiting_answer')
    const pending = (await (await h.req('GET', `/api/agent-sessions/${id}/requests`, 'alice')).json()) as {
      results: HumanRequest[]
    }
    expect(pending.results.map((r) => r.requestId)).toEqual(['que_n'])
    expect((await h.req('POST', path, 'alice', { answer: [['red']] })).status).toBe(200)
    const answer = await relay.next('answer', (a) => a.requestId === 'que_n')
    expect(answer.reply).toEqual({ kind: 'question', answers: [['red']] })
    relay.close()
  })

  test('an ask for a thread awaiting review or declined is refused, nothing waits', async () => {
    const { id, relay } = await running('alice')
    relay.status(id, 'awaiting_review')
    await waitStatus(id, 'awaiting_review')
    ask(relay, id, 'que_review', question)
    expect((await relay.next('error')).code).toBe('conflict')
    expect(
      (await h.req('POST', `/api/agent-sessions/${id}/review`, 'alice', { approved: false })).status,
    ).toBe(200)
    ask(relay, id, 'que_declined', question)
    expect((await relay.next('error')).code).toBe('conflict')
    const pending = (await (await h.req('GET', `/api/agent-sessions/${id}/requests`, 'alice')).json()) as {
      results: HumanRequest[]
    }
    expect(pending.results).toEqual([])
    expect((await thread(id)).status).toBe('declined')
    relay.close()
  })
})

describe('the ledger outlives the socket and aica', () => {
  test('a pending request is in the next welcome; an answer given while away is re-sent until applied', async () => {
    const { id, relay, work } = await running('alice')
    ask(relay, id, 'per_r1', bash)
    await waitStatus(id, 'waiting_permission')
    relay.close()
    await h.restart()
    const again = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    const welcome = await again.next('welcome')
    expect(welcome.threads.find((t) => t.threadId === id)?.pending).toEqual([
      { requestId: 'per_r1', ask: bash },
    ])
    again.close()
    expect(
      (
        await h.req('POST', `/api/agent-sessions/${id}/permissions/per_r1`, 'alice', {
          decision: 'reject',
          message: 'no',
        })
      ).status,
    ).toBe(200)
    const third = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    expect((await third.next('welcome')).threads.find((t) => t.threadId === id)?.pending).toEqual([])
    const resent = await third.next('answer', (a) => a.requestId === 'per_r1')
    expect(resent.reply).toEqual({ kind: 'permission', decision: 'reject', message: 'no' })
    third.send({ v: 1, type: 'applied', threadId: id, requestId: 'per_r1' })
    await waitFor(
      async () => (await h.req('GET', `/api/agent-sessions/${id}/requests`, 'alice')).ok,
      5000,
      'ok',
    )
    third.close()
    const fourth = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await fourth.next('welcome')
    await Bun.sleep(300)
    expect(fourth.frames.filter((f) => f.type === 'answer')).toEqual([])
    fourth.close()
  })

  test('stopping a waiting thread cancels its requests', async () => {
    const { id, relay } = await running('alice')
    ask(relay, id, 'per_s1', bash)
    await waitStatus(id, 'waiting_permission')
    expect((await h.req('POST', `/api/agent-sessions/${id}/stop`, 'alice')).status).toBe(200)
    const pending = (await (await h.req('GET', `/api/agent-sessions/${id}/requests`, 'alice')).json()) as {
      results: unknown[]
    }
    expect(pending.results).toEqual([])
    expect(
      (await h.req('POST', `/api/agent-sessions/${id}/permissions/per_s1`, 'alice', { decision: 'once' }))
        .status,
    ).toBe(409)
    relay.close()
  })
})

describe('policies', () => {
  test('defaults: members read, admins write; dispatch takes the default or its own; auto never asks', async () => {
    const got = await h.req('GET', `/api/aica/permission-defaults?workspace=${WS}`, 'bob')
    expect(got.status).toBe(200)
    expect(((await got.json()) as { people: { rules: Record<string, string> } }).people.rules.bash).toBe(
      'allow',
    )
    const strict = { rules: { bash: 'ask', edit: 'allow' }, bashAllow: ['git status*'], questions: 'ask' }
    expect(
      (await h.req('PUT', '/api/aica/permission-defaults', 'bob', { workspace: WS, people: strict })).status,
    ).toBe(403)
    expect(
      (
        await h.req('PUT', '/api/aica/permission-defaults', 'boss', {
          workspace: WS,
          people: { ...strict, rules: { bash: 'sometimes' } },
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await h.req('PUT', '/api/aica/permission-defaults', 'boss', {
          workspace: WS,
          people: { ...strict, rules: { 'Bad Kind': 'ask' } },
        })
      ).status,
    ).toBe(400)
    const put = await h.req('PUT', '/api/aica/permission-defaults', 'boss', {
      workspace: WS,
      people: strict,
      auto: strict,
    })
    expect(put.status).toBe(200)
    const d = await h.dispatch('alice', { workspace: WS, prompt: 'default policy' })
    expect(d.thread.permissions).toEqual(strict as never)
    const mine = { rules: { bash: 'deny' }, bashAllow: [], questions: 'deny' }
    const own = await h.dispatch('alice', { workspace: WS, prompt: 'own policy', permissions: mine })
    expect(own.thread.permissions).toEqual(mine as never)
    const work = await h.workFor(own.thread.id)
    expect(work.data.permissions).toEqual(mine as never)
    await h.workFor(d.thread.id)
  })
})
