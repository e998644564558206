import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Thread } from '@bosun/contracts/aica'
import type { Item } from '@bosun/contracts/relay'
import { openRelay } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { type Harness, startHarness } from './harness'

setDefaultTimeout(60_000)

/**
 * An idle thread no runner holds (evicted) has no runner to complete it: aica's sweep completes it once its idle
 * time is up, as the runner would have; a thread whose runner still holds it is left to that runner.
 */
let h: Harness
let WS: string

beforeAll(async () => {
  h = await startHarness({ BOSUN_AICA_IDLE_MS: '1500' })
  WS = await h.workspace(['alice'])
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

const thread = async (id: string) =>
  (await (await h.req('GET', `/api/agent-sessions/${id}`, 'alice')).json()) as {
    thread: Thread
    items: Item[]
  }

describe('idle threads no runner holds', () => {
  test('complete after the idle time; a held one stays idle', async () => {
    const { thread: t } = await h.dispatch('alice', { workspace: WS, prompt: 'Look around' })
    const work = await h.workFor(t.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    relay.status(t.id, 'running')
    relay.status(t.id, 'idle')
    await waitFor(async () => (await thread(t.id)).thread.status === 'idle', 5000, 'idle')
    // Held: two sweeps pass (5 s apart) beyond the idle time, still idle.
    await Bun.sleep(11_000)
    expect((await thread(t.id)).thread.status).toBe('idle')

    relay.close()
    await waitFor(async () => (await thread(t.id)).thread.status === 'completed', 20_000, 'completed')
    expect((await thread(t.id)).thread.result).toBe('no_changes')
  })
})
