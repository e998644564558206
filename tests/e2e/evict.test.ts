import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Thread } from '@bosun/contracts/aica'
import type { Item } from '@bosun/contracts/relay'
import { seedAgentWorkspace } from '@bosun/testkit/agent-workspace'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * Eviction with the real runner (one slot, a ten-minute idle timeout), the real opencode and the scripted model:
 * a new thread does not wait behind an idle one. The idle thread gives its sandbox up (its worktree backed up),
 * stays `idle`, and its next prompt runs as new work on the restored worktree.
 */
let stack: Stack
let model: ScriptedModel
const WS = 'e2e-evict'
const REPO = 'demo-org/demo-repo'
const KEY = 'sk-evict-e2e-3c91'
type Snapshot = { thread: Thread; items: Item[] }

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
const bodies = (s: Snapshot) => s.items.map((i: Item) => i.body)

async function dispatch(prompt: string) {
  const res = await call('POST', '/api/agent-sessions', { workspace: WS, prompt })
  expect(res.status).toBe(201)
  return ((await res.json()) as Snapshot).thread.id
}
const until = (id: string, what: string, ok: (s: Snapshot) => boolean, ms = 120_000) =>
  waitFor(
    async () => {
      const s = await snapshot(id)
      return ok(s) ? s : undefined
    },
    ms,
    `${id}: ${what}`,
  ) as Promise<Snapshot>
const status = (id: string, st: string) => until(id, st, (s) => s.thread.status === st)
const output = (s: Snapshot, text: string) =>
  bodies(s).some((b) => b.kind === 'tool_result' && b.output.includes(text))

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: KEY })
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'webhooks', 'runner'],
    // One slot and an idle timeout far longer than the test: only eviction lets the second thread start.
    env: { BOSUN_RUNNER_CONCURRENCY: '1', BOSUN_RUNNER_IDLE_MS: '600000', BOSUN_RUNNER_WARM: '0' },
  })
  await seedAgentWorkspace(stack, {
    id: WS,
    name: 'E2E evict',
    repo: REPO,
    model: { url: model.url, apiKey: KEY },
  })
}, 120_000)

afterAll(async () => {
  await stack?.stop()
  await model?.stop()
}, 60_000)

describe('idle eviction', () => {
  test('a new thread evicts an idle one; its next prompt runs on the restored worktree', async () => {
    // A writes a file (review gate), then a turn without changes leaves it idle, holding the only slot.
    const a = await dispatch('Create a file named evicted.txt that says kept-across-eviction.')
    await status(a, 'awaiting_review')
    expect(
      (
        await call('POST', `/api/agent-sessions/${a}/request-changes`, {
          comment: 'Run the command `echo a-idle`',
        })
      ).status,
    ).toBe(200)
    await until(a, 'idle after its no-change turn', (s) => s.thread.status === 'idle' && output(s, 'a-idle'))

    // B starts while A is idle: well within the test's time, so not after A's ten-minute idle timeout.
    const b = await dispatch('Run the command `echo b-ran`')
    await until(b, 'ran', (s) => s.thread.status === 'idle' && output(s, 'b-ran'))
    const evicted = await snapshot(a)
    expect(evicted.thread.status).toBe('idle')

    // A's next prompt is new work (B is evicted in turn) and sees the file of its first turn.
    expect(
      (await call('POST', `/api/agent-sessions/${a}/prompt`, { text: 'Run the command `cat evicted.txt`' }))
        .status,
    ).toBe(200)
    const resumed = await until(a, 'the restored file', (s) => output(s, 'kept-across-eviction'))
    expect(bodies(resumed)).toContainEqual(
      expect.objectContaining({ kind: 'user_message', text: 'Run the command `cat evicted.txt`' }),
    )
    await status(a, 'idle')
    expect((await snapshot(b)).thread.status).toBe('idle')
  }, 400_000)
})
