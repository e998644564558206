import { afterAll, beforeAll, expect, test } from 'bun:test'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { token } from '@bosun/contracts/subjects'
import { type NatsServer, startNats } from '@bosun/testkit/nats'
import { tempDir } from '@bosun/testkit/wait'
import examples from '@octokit/webhooks-examples'
import { sign } from '@octokit/webhooks-methods'
import { count } from 'drizzle-orm'
import { connect, type NatsConnection } from 'nats'
import { deliveries } from '../src/db/schema'
import { dbUrl, newDeliveryId, publishedEvents, startInProcess, type Webhooks } from './harness'

/** Every example payload GitHub's community collected (api.github.com), as the body of one delivery each. */
const SECRET = 'examples-secret'
const dir = tempDir('bosun-webhooks-examples-')
let nats: NatsServer
let nc: NatsConnection
let svc: Webhooks

const cases = examples.flatMap((group) =>
  group.examples.map((payload, i) => ({
    event: group.name,
    label: `${group.name}#${i}`,
    body: JSON.stringify(payload),
    action:
      typeof (payload as { action?: unknown }).action === 'string'
        ? (payload as { action: string }).action
        : null,
  })),
)

beforeAll(async () => {
  nats = await startNats()
  nc = await connect(natsConnectOptions(nats.url))
  svc = await startInProcess({
    NATS_URL: nats.urlFor('webhooks'),
    DATABASE_URL: dbUrl(dir.path),
    GITHUB_WEBHOOK_SECRET: SECRET,
  })
})

afterAll(async () => {
  await svc.close()
  await nc.close()
  await nats.stop()
  dir[Symbol.dispose]()
})

const post = (event: string, id: string, body: string | Uint8Array, signature: string) =>
  fetch(`${svc.base}/api/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-hub-signature-256': signature,
    },
    body,
  })

/** Runs `fn` over `items` eight at a time. */
async function inBatches<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += 8) out.push(...(await Promise.all(items.slice(i, i + 8).map(fn))))
  return out
}

const random = (n: number) => Math.floor(Math.random() * n)

function flipBit(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes)
  const at = random(copy.length)
  copy[at] = copy[at]! ^ (1 << random(8))
  return copy
}

const flipSignatureBit = (signature: string) =>
  `sha256=${Buffer.from(flipBit(Buffer.from(signature.slice('sha256='.length), 'hex'))).toString('hex')}`

test('the example set is the full one', () => {
  expect(cases.length).toBeGreaterThanOrEqual(329)
})

test('every example, correctly signed, is accepted and published once on its subject', async () => {
  const sent = await inBatches(cases, async (c) => {
    const id = newDeliveryId()
    const res = await post(c.event, id, c.body, await sign(SECRET, c.body))
    return { ...c, id, status: res.status }
  })
  expect(sent.filter((s) => s.status !== 202).map((s) => `${s.label}: ${s.status}`)).toEqual([])

  await svc.relay.flushed()
  const events = await publishedEvents(nc)
  const byId = new Map<string, typeof events>()
  for (const e of events) byId.set(e.data.deliveryId, [...(byId.get(e.data.deliveryId) ?? []), e])
  const wrong = sent.flatMap((s) => {
    const got = byId.get(s.id) ?? []
    const subject = `bosun.evt.github.${token(s.event)}.${token(s.action ?? 'none')}`
    if (got.length !== 1) return [`${s.label}: ${got.length} events`]
    if (got[0]!.subject !== subject) return [`${s.label}: subject ${got[0]!.subject}, expected ${subject}`]
    if (JSON.stringify(got[0]!.data.payload) !== s.body) return [`${s.label}: payload differs`]
    return []
  })
  expect(wrong).toEqual([])
  expect(events).toHaveLength(cases.length)
})

test('every example with one bit flipped in the signature or in the body is refused, with no row and no event', async () => {
  const before = (await publishedEvents(nc)).length
  const refused = await inBatches(cases, async (c) => {
    const signature = await sign(SECRET, c.body)
    const badSig = newDeliveryId()
    const badBody = newDeliveryId()
    const a = await post(c.event, badSig, c.body, flipSignatureBit(signature))
    const b = await post(c.event, badBody, flipBit(new TextEncoder().encode(c.body)), signature)
    return [
      { label: `${c.label} signature`, status: a.status },
      { label: `${c.label} body`, status: b.status },
    ]
  })
  expect(refused.flat().filter((r) => r.status !== 401)).toEqual([])
  const [rows] = await svc.deps.database.db.select({ n: count() }).from(deliveries)
  expect(rows?.n).toBe(cases.length)
  await svc.relay.flushed()
  expect((await publishedEvents(nc)).length).toBe(before)
})
