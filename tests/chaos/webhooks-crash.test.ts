import { afterAll, beforeAll, expect, test } from 'bun:test'
import { decodeEventData, EVENT_ENCODING_HEADER } from '@bosun/contracts/envelope'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import examples from '@octokit/webhooks-examples'
import { sign } from '@octokit/webhooks-methods'
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats'

/**
 * kill -9 the webhooks service 20 times at random moments while 1,000 GitHub deliveries are sent to it,
 * re-sending (as a GitHub redelivery would, same delivery id) every one that got no 2xx. At the end every
 * delivery id has exactly one event in BOSUN_EVENTS: none lost, none doubled.
 */
const TOTAL = 1000
const KILLS = 20
const SENDERS = 16

let stack: Stack
let nc: NatsConnection

beforeAll(async () => {
  stack = await startStack({ services: ['auth', 'webhooks'], github: false })
  nc = await connect(natsConnectOptions(stack.natsUrl))
}, 60_000)

afterAll(async () => {
  await nc.close()
  await stack.stop()
})

const payloads = examples.flatMap((g) => g.examples.map((p) => ({ event: g.name, body: JSON.stringify(p) })))

test('no delivery is lost or published twice across 20 kill -9s', async () => {
  const webhooks = stack.services.webhooks!
  const deliveries = await Promise.all(
    Array.from({ length: TOTAL }, async (_, i) => {
      const { event, body } = payloads[i % payloads.length]!
      return {
        id: `crash-${i}-${crypto.randomUUID()}`,
        event,
        body,
        signature: await sign(stack.webhookSecret, body),
      }
    }),
  )
  const queue = [...deliveries]
  const acked = new Set<string>()
  let attempts = 0
  // Senders that fail wait on this instead of spinning while the service is down.
  let up: Promise<void> = Promise.resolve()

  const send = async (d: (typeof deliveries)[number]) => {
    attempts++
    const res = await fetch(`${webhooks.url}/api/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': d.event,
        'x-github-delivery': d.id,
        'x-hub-signature-256': d.signature,
      },
      body: d.body,
    }).catch(() => null)
    return res !== null && res.status >= 200 && res.status < 300
  }

  const sender = async () => {
    while (acked.size < TOTAL) {
      const d = queue.shift()
      if (!d) {
        await waitFor(() => queue.length > 0 || acked.size >= TOTAL, 60_000, 'work or the end')
        continue
      }
      if (await send(d)) acked.add(d.id)
      else {
        queue.push(d)
        await up
      }
    }
  }

  // 20 kill points spread over the run, each a little past a random number of acknowledged deliveries.
  const thresholds = Array.from({ length: KILLS }, () => 20 + Math.floor(Math.random() * (TOTAL - 80))).sort(
    (a, b) => a - b,
  )
  const killer = async () => {
    for (const at of thresholds) {
      await waitFor(() => acked.size >= at, 60_000, `${at} acknowledged deliveries`)
      await Bun.sleep(Math.random() * 15)
      await webhooks.kill()
      up = webhooks.start()
      await up
    }
  }

  await Promise.all([killer(), ...Array.from({ length: SENDERS }, sender)])
  expect(acked.size).toBe(TOTAL)

  // Drained: the log says nothing is queued (its outbox is empty) once the restarted relay has published.
  const auth = { authorization: `Bearer ${stack.bootstrapKey}` }
  await waitFor(
    async () => {
      const res = await fetch(`${webhooks.url}/api/webhook-deliveries?status=queued&page_size=1`, {
        headers: auth,
      })
      const page = (await res.json()) as { pagination: { totalCount: number } }
      return res.status === 200 && page.pagination.totalCount === 0
    },
    30_000,
    'the outbox to drain',
  )
  const log = (await (
    await fetch(`${webhooks.url}/api/webhook-deliveries?page_size=1`, { headers: auth })
  ).json()) as {
    pagination: { totalCount: number }
  }
  expect(log.pagination.totalCount).toBe(TOTAL)

  const jsm = await nc.jetstreamManager()
  const info = await jsm.consumers.add(EVENTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: 'bosun.evt.github.>',
  })
  const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, info.name)
  const counts = new Map<string, number>()
  let read = 0
  while (read < info.num_pending) {
    const batch = await consumer.fetch({
      max_messages: Math.min(500, info.num_pending - read),
      expires: 5000,
    })
    for await (const m of batch) {
      read++
      const id = (
        decodeEventData(m.data, m.headers?.get(EVENT_ENCODING_HEADER) || undefined) as {
          data: { deliveryId: string }
        }
      ).data.deliveryId
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
  }
  const lost = deliveries.filter((d) => !counts.has(d.id)).length
  const duplicated = [...counts.values()].filter((n) => n > 1).length
  console.log(
    `webhooks crash test: ${KILLS} kills, ${TOTAL} deliveries, ${attempts} attempts, ${read} events; lost=${lost} duplicated=${duplicated}`,
  )
  expect({ lost, duplicated, events: read }).toEqual({ lost: 0, duplicated: 0, events: TOTAL })
}, 180_000)
