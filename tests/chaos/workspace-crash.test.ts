import { afterAll, beforeAll, expect, test } from 'bun:test'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import type { Snapshot } from '@bosun/contracts/workspace'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats'

/**
 * kill -9 the workspace service while 500 writes are in flight through its API. After a restart, every
 * write that was acknowledged is in the snapshot, and each committed change was published exactly once.
 */
let stack: Stack
let nc: NatsConnection
const WS = 'crash'

beforeAll(async () => {
  stack = await startStack({ services: ['auth', 'workspace'] })
  nc = await connect(natsConnectOptions(stack.natsUrl))
  const res = await api('POST', '/api/workspaces', { id: WS, name: 'Crash test' })
  expect(res.status).toBe(201)
}, 60_000)

afterAll(async () => {
  await nc.close()
  await stack.stop()
})

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${stack.services.workspace!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })

test('no acknowledged write is lost and no event is doubled across a kill -9', async () => {
  const workspace = stack.services.workspace!
  const total = 500
  const acked = new Set<string>()
  let next = 0
  let killed = false
  const worker = async () => {
    while (next < total) {
      const name = `folder-${next++}`
      const res = await api('POST', `/api/workspaces/${WS}/starred-folders`, { name }).catch(() => null)
      if (res?.status === 201) acked.add(name)
      if (!killed && acked.size >= 150) {
        killed = true
        await workspace.kill()
      }
    }
  }
  await Promise.all(Array.from({ length: 25 }, worker))
  expect(killed).toBe(true)
  expect(acked.size).toBeLessThan(total)

  await workspace.start()
  const snapshot = (await (await api('GET', `/api/workspaces/${WS}/snapshot`)).json()) as Snapshot
  const present = new Set(snapshot.starredFolders.map((f) => f.name))
  const lost = [...acked].filter((name) => !present.has(name))
  expect(lost).toEqual([])

  // Every committed change reaches BOSUN_EVENTS once: one event per sequence number, none missing.
  const jsm = await nc.jetstreamManager()
  const consumer = await jsm.consumers.add(EVENTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: 'bosun.evt.workspace.>',
  })
  const seqs: number[] = []
  await waitFor(
    async () => {
      const info = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: 'bosun.evt.workspace.>' })
      const stored = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0)
      return stored >= snapshot.seq
    },
    20_000,
    'the outbox to drain after restart',
  )
  const js = nc.jetstream()
  const c = await js.consumers.get(EVENTS_STREAM, consumer.name)
  const messages = await c.fetch({ max_messages: 10_000, expires: 2000 })
  for await (const m of messages) {
    const env = m.json() as { data: { workspaceId: string; seq: number } }
    if (env.data.workspaceId === WS) seqs.push(env.data.seq)
  }
  const counts = new Map<number, number>()
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1)
  const duplicated = [...counts].filter(([, n]) => n > 1)
  const missing = Array.from({ length: snapshot.seq }, (_, i) => i + 1).filter((s) => !counts.has(s))
  console.log(
    `crash test: ${acked.size} acknowledged, ${present.size} committed, ${seqs.length} events for ${snapshot.seq} changes`,
  )
  expect({ duplicated, missing }).toEqual({ duplicated: [], missing: [] })
}, 120_000)
