import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import type { WebhookDelivery, WebhookDeliveryDetail } from '@bosun/contracts/webhooks'
import { EnvError, parseEnv } from '@bosun/service-kit/env'
import { createApiKey } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { tempDir } from '@bosun/testkit/wait'
import { connect, type NatsConnection } from 'nats'
import { pruneDeliveries } from '../src/deliveries/prune'
import { WebhooksEnv } from '../src/env'
import {
  byDelivery,
  dbUrl,
  deliver,
  newDeliveryId,
  publishedEvents,
  startInProcess,
  type Webhooks,
} from './harness'

const SECRET = 'log-secret'
const dir = tempDir('bosun-webhooks-log-')
let stack: Stack
let nc: NatsConnection
let svc: Webhooks
const keys: Record<'read' | 'write' | 'none', string> = { read: '', write: '', none: '' }

type Page = {
  results: WebhookDelivery[]
  pagination: {
    pageSize: number
    cursor: string
    nextCursor: string
    hasMore: boolean
    returnedCount: number
    totalCount: number
  }
}

/** Six deliveries across events, actions and repositories, sent in order, ids remembered. */
const seeded: Array<{ id: string; event: string; action: string | null; repo: string | null }> = []
let seedStart = ''
let seedEnd = ''

beforeAll(async () => {
  stack = await startStack({ services: ['auth'], github: false })
  nc = await connect(natsConnectOptions(stack.natsUrl))
  svc = await startInProcess({
    NATS_URL: stack.natsUrlFor('webhooks'),
    DATABASE_URL: dbUrl(dir.path),
    GITHUB_WEBHOOK_SECRET: SECRET,
  })
  keys.read = await createApiKey(stack.publicUrl, stack.bootstrapKey, ['team_shared_creds:read'])
  keys.write = await createApiKey(stack.publicUrl, stack.bootstrapKey, [
    'team_shared_creds:read',
    'team_shared_creds:write',
  ])
  keys.none = await createApiKey(stack.publicUrl, stack.bootstrapKey, ['team_members:read'])

  seedStart = new Date().toISOString()
  const plan: Array<[string, string | null, string | null]> = [
    ['issues', 'opened', 'Octo-Org/Alpha'],
    ['issues', 'labeled', 'octo-org/alpha'],
    ['pull_request', 'opened', 'octo-org/beta'],
    ['push', null, 'octo-org/beta'],
    ['ping', null, null],
    ['issues', 'closed', 'octo-org/gamma'],
  ]
  for (const [event, action, repo] of plan) {
    const id = newDeliveryId()
    const body = JSON.stringify({
      ...(action ? { action } : {}),
      ...(repo ? { repository: { full_name: repo } } : {}),
      installation: { id: 5 },
    })
    const res = await deliver(svc.base, { event, id, body, secret: SECRET })
    expect(res.status).toBe(202)
    seeded.push({ id, event, action, repo })
  }
  await svc.relay.flushed()
  seedEnd = new Date(Date.now() + 1).toISOString()
})

afterAll(async () => {
  await svc.close()
  await nc.close()
  await stack.stop()
  dir[Symbol.dispose]()
})

const call = (path: string, key: string | null = keys.read, method = 'GET') =>
  fetch(`${svc.base}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} })
const page = async (query: string) => {
  const res = await call(`/api/webhook-deliveries?received_after=${seedStart}&${query}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Page
}
const ids = (p: Page) => p.results.map((d) => d.id)
const seededIds = (pick: (s: (typeof seeded)[number]) => boolean) => seeded.filter(pick).map((s) => s.id)

describe('the delivery log', () => {
  test('lists newest first with what consumers route on, all published', async () => {
    const p = await page('')
    expect(ids(p)).toEqual(seededIds(() => true).reverse())
    expect(p.pagination).toMatchObject({ hasMore: false, returnedCount: 6, totalCount: 6, nextCursor: '' })
    expect(p.results.at(-1)).toMatchObject({
      event: 'issues',
      action: 'opened',
      repository: 'Octo-Org/Alpha',
      installationId: 5,
      status: 'published',
      redeliveries: 0,
      lastRedeliveredAt: null,
    })
    const ping = p.results.find((d) => d.event === 'ping')
    expect(ping).toMatchObject({ action: null, repository: null })
  })

  test('filters by event, action, repository (any case), status and time, repeatable', async () => {
    expect(ids(await page('event=issues'))).toEqual(seededIds((s) => s.event === 'issues').reverse())
    expect(ids(await page('event=push&event=ping')).sort()).toEqual(
      seededIds((s) => s.event === 'push' || s.event === 'ping').sort(),
    )
    expect(ids(await page('action=opened')).sort()).toEqual(seededIds((s) => s.action === 'opened').sort())
    expect(ids(await page('repository=OCTO-ORG/ALPHA')).sort()).toEqual(
      seededIds((s) => s.repo?.toLowerCase() === 'octo-org/alpha').sort(),
    )
    expect(ids(await page('status=published'))).toHaveLength(6)
    expect(ids(await page('status=queued'))).toEqual([])
    expect(ids(await page(`received_before=${seedStart}`))).toEqual([])
    const window = await page(`received_before=${seedEnd}&event=pull_request`)
    expect(ids(window)).toEqual(seededIds((s) => s.event === 'pull_request'))
    const bad = await call('/api/webhook-deliveries?status=lost')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' })
  })

  test('sorts by a field in either direction and pages with cursors that survive new arrivals', async () => {
    const byEvent = await page('sort=event&direction=asc&page_size=50')
    const events = byEvent.results.map((d) => d.event)
    expect(events).toEqual([...events].sort())
    const desc = await page('sort=repository&direction=descending')
    expect(desc.results.map((d) => (d.repository ?? '').toLowerCase())).toEqual(
      desc.results
        .map((d) => (d.repository ?? '').toLowerCase())
        .sort()
        .reverse(),
    )

    const first = await page('page_size=4')
    expect(first.pagination).toMatchObject({ hasMore: true, returnedCount: 4, totalCount: 6 })
    // A delivery arriving between pages must not shift the next page.
    const late = newDeliveryId()
    expect(
      (await deliver(svc.base, { event: 'star', id: late, body: '{"action":"created"}', secret: SECRET }))
        .status,
    ).toBe(202)
    const second = await page(`page_size=4&cursor=${first.pagination.nextCursor}`)
    expect(second.pagination.hasMore).toBe(false)
    expect([...ids(first), ...ids(second)]).toEqual(seededIds(() => true).reverse())

    const wrongSort = await call(`/api/webhook-deliveries?sort=event&cursor=${first.pagination.nextCursor}`)
    expect(wrongSort.status).toBe(400)
    expect((await call('/api/webhook-deliveries?cursor=garbage')).status).toBe(400)
  })

  test('a forged cursor with the right order but a short key is a 400, not a 500', async () => {
    const forge = (k: unknown[]) =>
      Buffer.from(JSON.stringify({ s: 'received_at:desc', k })).toString('base64url')
    for (const k of [[], [Date.now()], [Date.now(), 1, 2]]) {
      const res = await call(`/api/webhook-deliveries?cursor=${forge(k)}`)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    }
  })

  test('one delivery shows its payload and headers, with signatures and secret-like headers redacted', async () => {
    const id = newDeliveryId()
    const body = JSON.stringify({
      action: 'created',
      comment: { body: 'LGTM' },
      repository: { full_name: 'o/r' },
    })
    const res = await deliver(svc.base, {
      event: 'issue_comment',
      id,
      body,
      secret: SECRET,
      headers: { authorization: 'Bearer leaked', 'x-relay-secret-token': 'hush', 'x-github-hook-id': '77' },
    })
    expect(res.status).toBe(202)
    const got = await call(`/api/webhook-deliveries/${id}`)
    expect(got.status).toBe(200)
    const detail = (await got.json()) as WebhookDeliveryDetail
    expect(detail.payload).toEqual(JSON.parse(body))
    expect(detail.headers).toMatchObject({
      'x-github-event': 'issue_comment',
      'x-github-delivery': id,
      'x-github-hook-id': '77',
      'x-hub-signature-256': '[redacted]',
      'x-hub-signature': '[redacted]',
      authorization: '[redacted]',
      'x-relay-secret-token': '[redacted]',
    })
    expect(JSON.stringify(detail)).not.toContain('sha256=')
    expect((await call(`/api/webhook-deliveries/${newDeliveryId()}`)).status).toBe(404)
  })

  test('redeliver publishes the same delivery again as a new event marked redelivery', async () => {
    const target = seeded[0]!
    const res = await call(`/api/webhook-deliveries/${target.id}/redeliver`, keys.write, 'POST')
    expect(res.status).toBe(202)
    const { eventId, deliveryId } = (await res.json()) as { eventId: string; deliveryId: string }
    expect(deliveryId).toBe(target.id)
    await svc.relay.flushed()
    const events = byDelivery(await publishedEvents(nc), target.id)
    expect(events.map((e) => e.data.redelivery)).toEqual([false, true])
    expect(events[1]).toMatchObject({ id: eventId, subject: 'bosun.evt.github.issues.opened' })
    expect(events[1]!.data.payload).toEqual(events[0]!.data.payload)
    const detail = (await (
      await call(`/api/webhook-deliveries/${target.id}`)
    ).json()) as WebhookDeliveryDetail
    expect(detail.redeliveries).toBe(1)
    expect(detail.lastRedeliveredAt).not.toBeNull()
    expect(
      (await call(`/api/webhook-deliveries/${newDeliveryId()}/redeliver`, keys.write, 'POST')).status,
    ).toBe(404)
  })

  test('scopes: 401 without a credential, 403 without team_shared_creds, reads cannot redeliver', async () => {
    const id = seeded[1]!.id
    for (const path of ['/api/webhook-deliveries', `/api/webhook-deliveries/${id}`]) {
      expect((await call(path, null)).status).toBe(401)
      expect((await call(path, 'psnip_not-a-key')).status).toBe(401)
      const denied = await call(path, keys.none)
      expect(denied.status).toBe(403)
      expect(await denied.json()).toMatchObject({ error: 'forbidden' })
      expect((await call(path, keys.read)).status).toBe(200)
    }
    const redeliver = `/api/webhook-deliveries/${id}/redeliver`
    expect((await call(redeliver, null, 'POST')).status).toBe(401)
    expect((await call(redeliver, keys.none, 'POST')).status).toBe(403)
    expect((await call(redeliver, keys.read, 'POST')).status).toBe(403)
    await svc.relay.flushed()
    expect(byDelivery(await publishedEvents(nc), id)).toHaveLength(1)
  })
})

describe('retention', () => {
  test('is configurable but never under 3 days', () => {
    const base = { NATS_URL: 'nats://127.0.0.1:1' }
    expect(parseEnv(WebhooksEnv, base).BOSUN_WEBHOOKS_RETENTION_DAYS).toBe(14)
    expect(
      parseEnv(WebhooksEnv, { ...base, BOSUN_WEBHOOKS_RETENTION_DAYS: '30' }).BOSUN_WEBHOOKS_RETENTION_DAYS,
    ).toBe(30)
    expect(() => parseEnv(WebhooksEnv, { ...base, BOSUN_WEBHOOKS_RETENTION_DAYS: '2' })).toThrow(EnvError)
  })

  test('pruning forgets old deliveries, and with them their dedupe record', async () => {
    const id = newDeliveryId()
    const body = '{"action":"deleted"}'
    expect((await deliver(svc.base, { event: 'label', id, body, secret: SECRET })).status).toBe(202)
    expect(await pruneDeliveries(svc.deps.database, Date.now() - 3 * 86_400_000)).toBe(0)
    expect((await deliver(svc.base, { event: 'label', id, body, secret: SECRET })).status).toBe(200)
    expect(await pruneDeliveries(svc.deps.database, Date.now() + 1)).toBeGreaterThan(0)
    expect((await call(`/api/webhook-deliveries/${id}`)).status).toBe(404)
    expect((await deliver(svc.base, { event: 'label', id, body, secret: SECRET })).status).toBe(202)
  })
})

describe('status', () => {
  test('a delivery is queued until its event leaves the outbox, then published', async () => {
    await svc.relay.stop()
    const id = newDeliveryId()
    expect(
      (await deliver(svc.base, { event: 'watch', id, body: '{"action":"started"}', secret: SECRET })).status,
    ).toBe(202)
    expect(ids(await page('status=queued'))).toEqual([id])
    expect(byDelivery(await publishedEvents(nc), id)).toHaveLength(0)
    // A restart starts a new relay, which publishes what the old one left behind.
    await svc.close()
    svc = await startInProcess({
      NATS_URL: stack.natsUrlFor('webhooks'),
      DATABASE_URL: dbUrl(dir.path),
      GITHUB_WEBHOOK_SECRET: SECRET,
    })
    await svc.relay.flushed()
    expect(ids(await page('status=queued'))).toEqual([])
    expect((await (await call(`/api/webhook-deliveries/${id}`)).json()) as WebhookDelivery).toMatchObject({
      status: 'published',
    })
    expect(byDelivery(await publishedEvents(nc), id)).toHaveLength(1)
  })
})
