import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { HumanRequest, Thread } from '@bosun/contracts/aica'
import type { PermissionPolicy } from '@bosun/contracts/permissions'
import type { Item } from '@bosun/contracts/relay'
import { seedAgentWorkspace } from '@bosun/testkit/agent-workspace'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * Human in the loop with the real runner, the real opencode (in bwrap where it works) and the scripted model:
 * a bash call under `ask` waits for a person, runs once allowed, is skipped when rejected; a question waits for
 * its answer and the agent uses it; the ledger outlives a runner killed while it waited; an auto thread never waits.
 */
let stack: Stack
let model: ScriptedModel
const WS = 'e2e-human-loop'
const REPO = 'demo-org/demo-repo'
const KEY = 'sk-human-loop-e2e-71b3'
type Snapshot = { thread: Thread; items: Item[] }

const ASK_BASH: PermissionPolicy = { rules: { bash: 'ask' }, bashAllow: [], questions: 'ask' }

const call = async (method: string, path: string, body?: unknown) =>
  fetch(`${stack.services.aica!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.bootstrapKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
const snapshot = async (id: string) =>
  (await (await call('GET', `/api/agent-sessions/${id}`)).json()) as Snapshot
const pending = async (id: string) =>
  ((await (await call('GET', `/api/agent-sessions/${id}/requests`)).json()) as { results: HumanRequest[] })
    .results
const bodies = (s: Snapshot) => s.items.map((i: Item) => i.body)

async function dispatch(prompt: string, permissions: PermissionPolicy = ASK_BASH) {
  const res = await call('POST', '/api/agent-sessions', { workspace: WS, prompt, permissions })
  expect(res.status).toBe(201)
  return ((await res.json()) as Snapshot).thread.id
}
const until = (id: string, what: string, ok: (s: Snapshot) => boolean, ms = 90_000) =>
  waitFor(
    async () => {
      const s = await snapshot(id)
      return ok(s) ? s : undefined
    },
    ms,
    `${id}: ${what}`,
  ) as Promise<Snapshot>
const status = (id: string, st: string, ms?: number) => until(id, st, (s) => s.thread.status === st, ms)

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: KEY })
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'webhooks', 'runner'],
    // A 10 s acknowledgement wait (not 30 s): the kill test waits for the work to come back after it.
    // Each thread stays idle for a minute and keeps its runner slot meanwhile; with the default two slots a
    // test's new thread would wait for an earlier test's thread to idle out before it started.
    env: {
      BOSUN_RUNNER_IDLE_MS: '60000',
      BOSUN_RUNNER_CONCURRENCY: '8',
      BOSUN_WORK_ACK_WAIT_MS: '10000',
    },
  })
  await seedAgentWorkspace(stack, {
    id: WS,
    name: 'E2E human loop',
    repo: REPO,
    model: { url: model.url, apiKey: KEY },
    autoTriggerFromAnyone: true,
  })
}, 120_000)

afterAll(async () => {
  await stack?.stop()
  await model?.stop()
}, 60_000)

describe('permission requests', () => {
  test('bash under ask waits; allow once runs it and its output is in the items', async () => {
    const id = await dispatch('Run the command `echo approved-$((40+2))`')
    await status(id, 'waiting_permission')
    const [req] = await pending(id)
    expect(req!.ask).toMatchObject({ kind: 'permission', permission: 'bash' })
    expect(
      (await call('POST', `/api/agent-sessions/${id}/permissions/${req!.requestId}`, { decision: 'once' }))
        .status,
    ).toBe(200)
    const done = await until(id, 'the output', (s) =>
      bodies(s).some((b) => b.kind === 'tool_result' && b.output.includes('approved-42')),
    )
    expect(bodies(done)).toContainEqual(
      expect.objectContaining({ kind: 'permission_decision', requestId: req!.requestId, decision: 'once' }),
    )
    await until(id, 'the answer', (s) =>
      bodies(s).some((b) => b.kind === 'assistant_text' && b.text.includes('Ran')),
    )
  }, 180_000)

  test('a command on the bash allowlist runs without asking', async () => {
    const id = await dispatch('Run the command `echo listed-$((40+2))`', {
      rules: { bash: 'ask' },
      bashAllow: ['echo listed*'],
      questions: 'ask',
    })
    const done = await until(id, 'its output', (s) =>
      bodies(s).some((b) => b.kind === 'tool_result' && b.output.includes('listed-42')),
    )
    expect(done.thread.statusTimes.waiting_permission).toBeUndefined()
    expect(await pending(id)).toEqual([])
  }, 180_000)

  test('reject: the command never runs, the agent is told and goes on', async () => {
    const id = await dispatch('Run the command `echo rejected-$((40+2))`')
    await status(id, 'waiting_permission')
    const [req] = await pending(id)
    const res = await call('POST', `/api/agent-sessions/${id}/permissions/${req!.requestId}`, {
      decision: 'reject',
      message: 'Not on this machine',
    })
    expect(res.status).toBe(200)
    const after = await until(id, 'the agent going on', (s) =>
      bodies(s).some((b) => b.kind === 'assistant_text' && b.text.includes('Ran')),
    )
    const outputs = bodies(after).filter((b) => b.kind === 'tool_result')
    expect(outputs.some((b) => b.kind === 'tool_result' && b.output.includes('rejected-42'))).toBe(false)
    expect(JSON.stringify(bodies(after))).toContain('Not on this machine')
    await status(id, 'idle')
  }, 180_000)

  test('the runner killed while waiting: after its restart the request is pending again and answerable', async () => {
    const id = await dispatch('Run the command `echo resumed-$((40+2))`')
    await status(id, 'waiting_permission')
    const [req] = await pending(id)
    const killedAt = (await snapshot(id)).thread.lastSeq
    await stack.services.runner!.kill()
    await stack.services.runner!.start()
    // The work message comes back after its ack wait; the new runner runs the prompt again and the agent asks again.
    await until(
      id,
      'a new run waiting again',
      (s) =>
        s.thread.status === 'waiting_permission' &&
        s.items.some((i) => i.seq > killedAt && i.body.kind === 'status' && i.body.status === 'running'),
      150_000,
    )
    expect((await pending(id)).map((r) => r.requestId)).toEqual([req!.requestId])
    expect(
      (await call('POST', `/api/agent-sessions/${id}/permissions/${req!.requestId}`, { decision: 'once' }))
        .status,
    ).toBe(200)
    await until(id, 'the output', (s) =>
      bodies(s).some((b) => b.kind === 'tool_result' && b.output.includes('resumed-42')),
    )
  }, 300_000)
})

describe('questions', () => {
  test('a question waits; of two concurrent answers one wins; the next message uses it', async () => {
    const id = await dispatch('Ask me which colour do you like?')
    await status(id, 'waiting_answer')
    const [req] = await pending(id)
    expect(req!.ask).toMatchObject({
      kind: 'question',
      questions: [{ question: 'which colour do you like?' }],
    })
    const path = `/api/agent-sessions/${id}/questions/${req!.requestId}/answer`
    const codes = await Promise.all(
      ['blue', 'red'].map(async (answer) => (await call('POST', path, { answer })).status),
    )
    expect(codes.sort()).toEqual([200, 409])
    const s = await until(id, 'the answer used', (x) =>
      bodies(x).some((b) => b.kind === 'assistant_text' && b.text.includes('You answered:')),
    )
    const given = bodies(s).find((b) => b.kind === 'question_answer')
    const chosen = given?.kind === 'question_answer' ? given.answers[0]![0]! : ''
    expect(bodies(s)).toContainEqual(
      expect.objectContaining({
        kind: 'assistant_text',
        text: expect.stringContaining(`You answered: ${chosen}.`),
      }),
    )
  }, 180_000)
})

describe('unattended threads', () => {
  test('an aica:auto thread never waits: ask in its policy is applied as deny', async () => {
    const strict = { rules: { bash: 'ask' }, bashAllow: [], questions: 'ask' }
    expect((await call('PUT', '/api/aica/permission-defaults', { workspace: WS, auto: strict })).status).toBe(
      200,
    )
    const s = stack.github!.state
    const issue = s.addIssue(REPO, { title: 'Check', body: 'Run the command `echo auto-$((40+2))`' })
    s.addLabels(s.requireRepo(REPO), issue, ['bosun:trigger'], { notify: true })
    const thread = (await waitFor(
      async () => {
        const res = await call('GET', `/api/agent-sessions?workspace=${WS}`)
        const list = (await res.json()) as { results: Snapshot['thread'][] }
        return list.results.find((t) => t.userId === 'aica:auto' && t.prompt.includes(`#${issue.number}`))
      },
      30_000,
      'the auto thread',
    ))!
    expect(thread.permissions.rules.bash).toBe('deny')
    expect(thread.permissions.questions).toBe('deny')
    const done = await until(
      thread.id,
      'its turn to end',
      (x) => x.thread.status === 'idle' || x.thread.status === 'completed',
    )
    expect(done.thread.statusTimes.waiting_permission).toBeUndefined()
    expect(done.thread.statusTimes.waiting_answer).toBeUndefined()
    expect(bodies(done).some((b) => b.kind === 'tool_result' && b.output.includes('auto-42'))).toBe(false)
    expect(bodies(done).some((b) => b.kind === 'permission_request')).toBe(false)
  }, 180_000)

  test("an aica:auto thread's question is declined, never waited on", async () => {
    const s = stack.github!.state
    const issue = s.addIssue(REPO, { title: 'Colour', body: 'Ask me which colour should the logo be?' })
    s.addLabels(s.requireRepo(REPO), issue, ['bosun:trigger'], { notify: true })
    const thread = (await waitFor(
      async () => {
        const list = (await (await call('GET', `/api/agent-sessions?workspace=${WS}`)).json()) as {
          results: Snapshot['thread'][]
        }
        return list.results.find((t) => t.userId === 'aica:auto' && t.prompt.includes(`#${issue.number}`))
      },
      30_000,
      'the auto thread',
    ))!
    const done = await until(thread.id, 'its answer', (x) =>
      bodies(x).some((b) => b.kind === 'assistant_text' && b.text.startsWith('Thanks.')),
    )
    expect(done.thread.statusTimes.waiting_answer).toBeUndefined()
    expect(await pending(thread.id)).toEqual([])
    // The question tool was refused to the agent: it went on without an answer.
    expect(bodies(done).some((b) => b.kind === 'assistant_text' && b.text.includes('You answered'))).toBe(
      false,
    )
  }, 180_000)
})
