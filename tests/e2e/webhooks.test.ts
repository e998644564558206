import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createWebhooksClient } from '@bosun/clients/webhooks'
import { decodeEventData, EVENT_ENCODING_HEADER } from '@bosun/contracts/envelope'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import { invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats'

/**
 * The GitHub emulator sends its real, signed webhooks through the gateway to the webhooks service; the events
 * reach BOSUN_EVENTS, GitHub's redelivery is a duplicate, and the delivery log answers through the gateway.
 */
let stack: Stack
let nc: NatsConnection
const tokens: Record<string, string> = {}
const REPO = 'demo-org/demo-repo'

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'webhooks', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'octo-admin' },
  })
  stack.github!.setWebhook(`${stack.publicUrl}/api/webhooks/github`, stack.webhookSecret)
  nc = await connect(natsConnectOptions(stack.natsUrl))
  await invite(stack.publicUrl, stack.bootstrapKey, 'octo-dev')
  tokens.admin = await signIn(stack.publicUrl, 'octo-admin')
  tokens.member = await signIn(stack.publicUrl, 'octo-dev')
}, 60_000)

afterAll(async () => {
  await nc.close()
  await stack.stop()
})

type Event = {
  subject: string
  id: string
  data: { deliveryId: string; redelivery: boolean; payload: unknown }
}

async function events(filter: string): Promise<Event[]> {
  const jsm = await nc.jetstreamManager()
  const info = await jsm.consumers.add(EVENTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filter,
  })
  const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, info.name)
  const out: Event[] = []
  while (out.length < info.num_pending) {
    for await (const m of await consumer.fetch({
      max_messages: Math.min(500, info.num_pending - out.length),
      expires: 5000,
    }))
      out.push({
        subject: m.subject,
        ...(decodeEventData(m.data, m.headers?.get(EVENT_ENCODING_HEADER) || undefined) as Omit<
          Event,
          'subject'
        >),
      })
  }
  await jsm.consumers.delete(EVENTS_STREAM, info.name)
  return out
}

test('an issue opened on GitHub becomes one event; a redelivery from GitHub is a duplicate', async () => {
  const github = stack.github!
  const res = await fetch(`${github.url}/repos/${REPO}/issues`, {
    method: 'POST',
    headers: {
      authorization: `token ${github.state.tokenFor('octo-dev')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ title: 'Webhooks e2e' }),
  })
  expect(res.status).toBe(201)
  const issue = (await res.json()) as { number: number }
  await github.webhooksSettled()
  const sent = github.deliveries.find(
    (d) => d.event === 'issues' && d.action === 'opened' && JSON.parse(d.body).issue.number === issue.number,
  )
  expect(sent?.status).toBe(202)
  const id = sent!.id

  const mine = async () =>
    (await events('bosun.evt.github.issues.opened')).filter((e) => e.data.deliveryId === id)
  const settledOn = (count: number) =>
    waitFor(
      async () => {
        const found = await mine()
        return found.length >= count ? found : null
      },
      10_000,
      `${count} events for the delivery`,
    )
  const [event] = (await settledOn(1))!
  expect(event).toMatchObject({
    subject: 'bosun.evt.github.issues.opened',
    data: { deliveryId: id, event: 'issues', action: 'opened', repository: REPO, redelivery: false },
  })
  expect((event!.data.payload as { issue: { number: number } }).issue.number).toBe(issue.number)

  const again = await github.redeliver(id)
  expect(again.status).toBe(200)
  expect(await mine()).toHaveLength(1)

  const admin = createWebhooksClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.admin}` },
  })
  const list = await admin.GET('/api/webhook-deliveries', {
    params: { query: { repository: [REPO], event: ['issues'], action: ['opened'] } },
  })
  expect(list.response.status).toBe(200)
  expect(list.data!.results.map((d) => d.id)).toContain(id)
  const detail = await admin.GET('/api/webhook-deliveries/{id}', { params: { path: { id } } })
  expect(detail.data?.headers['x-hub-signature-256']).toBe('[redacted]')
  expect(detail.data?.headers['x-github-event']).toBe('issues')

  const redelivered = await admin.POST('/api/webhook-deliveries/{id}/redeliver', { params: { path: { id } } })
  expect(redelivered.response.status).toBe(202)
  const both = (await settledOn(2))!
  expect(both.map((e) => e.data.redelivery).sort()).toEqual([false, true])

  const member = createWebhooksClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.member}` },
  })
  expect((await member.GET('/api/webhook-deliveries', {})).response.status).toBe(403)
  expect((await fetch(`${stack.publicUrl}/api/webhook-deliveries`)).status).toBe(401)
}, 60_000)
