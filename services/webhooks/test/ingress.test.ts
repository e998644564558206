import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { EVENT_ENCODING_HEADER, ZSTD_ENCODING } from '@bosun/contracts/envelope'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { tempDir, waitFor } from '@bosun/testkit/wait'
import { sign } from '@octokit/webhooks-methods'
import { connect, type NatsConnection } from 'nats'
import { redeliver } from '../src/deliveries/service'
import {
  byDelivery,
  dbUrl,
  deliver,
  newDeliveryId,
  publishedEvents,
  startInProcess,
  type Webhooks,
} from './harness'

const SECRET = 'current-secret'
const NEXT = 'next-secret'
const dir = tempDir('bosun-webhooks-ingress-')
let stack: Stack
let nc: NatsConnection
let svc: Webhooks

const env = () => ({
  NATS_URL: stack.natsUrlFor('webhooks'),
  DATABASE_URL: dbUrl(dir.path),
  GITHUB_WEBHOOK_SECRET: `${SECRET}, ${NEXT}`,
})

beforeAll(async () => {
  stack = await startStack({ services: ['auth'], github: false })
  nc = await connect(natsConnectOptions(stack.natsUrl))
  svc = await startInProcess(env())
})

afterAll(async () => {
  await svc.close()
  await nc.close()
  await stack.stop()
  dir[Symbol.dispose]()
})

const admin = () => ({ authorization: `Bearer ${stack.bootstrapKey}` })
const detail = (id: string) => fetch(`${svc.base}/api/webhook-deliveries/${id}`, { headers: admin() })
const issueOpened = (repo = 'octo-org/hello') =>
  JSON.stringify({
    action: 'opened',
    issue: { number: 7, title: 'Broken' },
    repository: { full_name: repo },
    installation: { id: 99 },
  })

/** Waits until every committed event has left the outbox, then reads the stream. */
const eventsNow = async () => {
  await svc.relay.flushed()
  return publishedEvents(nc)
}

describe('accepting a delivery', () => {
  test('a signed delivery is recorded, answered 202 after the commit and published once on its subject', async () => {
    const id = newDeliveryId()
    const res = await deliver(svc.base, { event: 'issues', id, body: issueOpened(), secret: SECRET })
    expect(res.status).toBe(202)
    const accepted = (await res.json()) as { deliveryId: string; eventId: string }
    expect(accepted.deliveryId).toBe(id)
    const events = byDelivery(await eventsNow(), id)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      subject: 'bosun.evt.github.issues.opened',
      id: accepted.eventId,
      type: 'github.webhook',
      data: {
        deliveryId: id,
        event: 'issues',
        action: 'opened',
        repository: 'octo-org/hello',
        installationId: 99,
        redelivery: false,
        payload: JSON.parse(issueOpened()),
      },
    })
    expect((await detail(id)).status).toBe(200)
  })

  test('a large delivery and its redelivery travel compressed and carry the payload byte for byte', async () => {
    const id = newDeliveryId()
    // Indented, with characters outside ASCII: only the bytes as received reproduce this text.
    const body = JSON.stringify(
      {
        action: 'opened',
        issue: { number: 8, body: 'é🚀 naïve '.repeat(2000) },
        repository: { full_name: 'octo-org/big' },
      },
      null,
      2,
    )
    expect((await deliver(svc.base, { event: 'issues', id, body, secret: SECRET })).status).toBe(202)
    await redeliver(svc.deps, id)
    await svc.relay.flushed()
    const events = byDelivery(await publishedEvents(nc), id)
    expect(events.map((e) => e.data.redelivery)).toEqual([false, true])
    const jsm = await nc.jetstreamManager()
    for (const e of events) {
      const msg = await jsm.streams.getMessage(EVENTS_STREAM, { seq: e.seq })
      expect(msg.header.get(EVENT_ENCODING_HEADER)).toBe(ZSTD_ENCODING)
      expect(msg.data.byteLength).toBeLessThan(body.length / 10)
      expect(new TextDecoder().decode(Bun.zstdDecompressSync(msg.data))).toEndWith(`"payload":${body}}}`)
    }
  })

  test('the same delivery id again answers 200 duplicate and publishes nothing more', async () => {
    const id = newDeliveryId()
    expect(
      (await deliver(svc.base, { event: 'issues', id, body: issueOpened(), secret: SECRET })).status,
    ).toBe(202)
    const again = await deliver(svc.base, { event: 'issues', id, body: issueOpened(), secret: SECRET })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ duplicate: true, deliveryId: id })
    expect(byDelivery(await eventsNow(), id)).toHaveLength(1)
  })

  test('20 concurrent copies of one delivery give one row and exactly one event', async () => {
    const id = newDeliveryId()
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        deliver(svc.base, { event: 'issues', id, body: issueOpened(), secret: SECRET }).then((r) => r.status),
      ),
    )
    expect(answers.filter((s) => s === 202)).toHaveLength(1)
    expect(answers.filter((s) => s === 200)).toHaveLength(19)
    expect(byDelivery(await eventsNow(), id)).toHaveLength(1)
    const list = await fetch(`${svc.base}/api/webhook-deliveries?event=issues&page_size=200`, {
      headers: admin(),
    })
    const page = (await list.json()) as { results: Array<{ id: string }> }
    expect(page.results.filter((d) => d.id === id)).toHaveLength(1)
  })

  test('a second configured secret is accepted (rotation); an unknown one is not', async () => {
    const rotated = newDeliveryId()
    expect(
      (await deliver(svc.base, { event: 'issues', id: rotated, body: issueOpened(), secret: NEXT })).status,
    ).toBe(202)
    const stranger = newDeliveryId()
    const res = await deliver(svc.base, {
      event: 'issues',
      id: stranger,
      body: issueOpened(),
      secret: 'other',
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'unauthorized' })
    expect((await detail(stranger)).status).toBe(404)
    expect(byDelivery(await eventsNow(), stranger)).toHaveLength(0)
  })

  test('ping and event types we do not know are recorded and published', async () => {
    const ping = newDeliveryId()
    const future = newDeliveryId()
    const pingBody = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 42 })
    expect(
      (await deliver(svc.base, { event: 'ping', id: ping, body: pingBody, secret: SECRET })).status,
    ).toBe(202)
    const futureBody = JSON.stringify({ action: 'teleported', thing: { id: 1 } })
    expect(
      (
        await deliver(svc.base, {
          event: 'quantum_entanglement',
          id: future,
          body: futureBody,
          secret: SECRET,
        })
      ).status,
    ).toBe(202)
    const events = await eventsNow()
    expect(byDelivery(events, ping).map((e) => e.subject)).toEqual(['bosun.evt.github.ping.none'])
    expect(byDelivery(events, future).map((e) => e.subject)).toEqual([
      'bosun.evt.github.quantum_entanglement.teleported',
    ])
  })

  test('a form-encoded delivery (payload=) is verified over the raw form and accepted', async () => {
    const id = newDeliveryId()
    const form = `payload=${encodeURIComponent(issueOpened('octo-org/form'))}`
    const res = await fetch(`${svc.base}/api/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'issues',
        'x-github-delivery': id,
        'x-hub-signature-256': await sign(SECRET, form),
      },
      body: form,
    })
    expect(res.status).toBe(202)
    expect(byDelivery(await eventsNow(), id)[0]?.data.repository).toBe('octo-org/form')
  })

  test('a payload too large for one bus message is published without its body, which the log still holds', async () => {
    const id = newDeliveryId()
    const big = JSON.stringify({
      action: 'edited',
      repository: { full_name: 'o/big' },
      blob: 'x'.repeat(2 << 20),
    })
    expect((await deliver(svc.base, { event: 'issues', id, body: big, secret: SECRET })).status).toBe(202)
    const [event] = byDelivery(await eventsNow(), id)
    expect(event?.data).toMatchObject({ payloadOmitted: true, payload: null, action: 'edited' })
    const body = (await (await detail(id)).json()) as { payload: unknown; payloadBytes: number }
    expect(body.payloadBytes).toBe(big.length)
    expect(body.payload).toEqual(JSON.parse(big))
  })

  test('a delivery seen before a restart is still a duplicate after it', async () => {
    const id = newDeliveryId()
    expect(
      (await deliver(svc.base, { event: 'issues', id, body: issueOpened(), secret: SECRET })).status,
    ).toBe(202)
    await svc.close()
    svc = await startInProcess(env())
    const again = await deliver(svc.base, { event: 'issues', id, body: issueOpened(), secret: SECRET })
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ duplicate: true })
    expect(byDelivery(await eventsNow(), id)).toHaveLength(1)
  })
})

describe('refusing a delivery, with no row and no event', () => {
  const refused = async (res: Response, status: number, error: string, id: string) => {
    expect(res.status).toBe(status)
    expect(await res.json()).toMatchObject({ error })
    expect((await detail(id)).status).toBe(404)
    expect(byDelivery(await eventsNow(), id)).toHaveLength(0)
  }

  test('401: no signature, a malformed one, a wrong one, a body changed after signing', async () => {
    const body = issueOpened()
    const good = await sign(SECRET, body)
    const cases: Array<Record<string, string | null>> = [
      { 'x-hub-signature-256': null },
      { 'x-hub-signature-256': 'sha1=abc' },
      { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      { 'x-hub-signature-256': good.toUpperCase() },
    ]
    for (const headers of cases) {
      const id = newDeliveryId()
      await refused(await deliver(svc.base, { event: 'issues', id, body, headers }), 401, 'unauthorized', id)
    }
    const id = newDeliveryId()
    const tampered = body.replace('Broken', 'Fixed!')
    const res = await deliver(svc.base, {
      event: 'issues',
      id,
      body: tampered,
      headers: { 'x-hub-signature-256': good },
    })
    await refused(res, 401, 'unauthorized', id)
  })

  test('bytes that are not UTF-8: signed over their decoded text 401, signed over the bytes 400', async () => {
    const raw = new TextEncoder().encode(issueOpened())
    raw[20] = 0xff
    const send = async (signature: string) => {
      const id = newDeliveryId()
      const res = await deliver(svc.base, {
        event: 'issues',
        id,
        body: raw,
        headers: { 'x-hub-signature-256': signature },
      })
      return { res, id }
    }
    const overText = await send(await sign(SECRET, new TextDecoder().decode(raw)))
    await refused(overText.res, 401, 'unauthorized', overText.id)
    const overBytes = await send(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`)
    await refused(overBytes.res, 400, 'invalid_request', overBytes.id)
  })

  test('400: missing X-GitHub-Event or X-GitHub-Delivery, a body that is not a JSON object', async () => {
    const body = issueOpened()
    const noEvent = newDeliveryId()
    await refused(
      await deliver(svc.base, {
        event: 'issues',
        id: noEvent,
        body,
        secret: SECRET,
        headers: { 'x-github-event': null },
      }),
      400,
      'invalid_request',
      noEvent,
    )
    const noId = await deliver(svc.base, {
      event: 'issues',
      body,
      secret: SECRET,
      headers: { 'x-github-delivery': null },
    })
    expect(noId.status).toBe(400)
    for (const bad of ['{"action": "opened"', '[1,2,3]', 'null']) {
      const id = newDeliveryId()
      await refused(
        await deliver(svc.base, { event: 'issues', id, body: bad, secret: SECRET }),
        400,
        'invalid_request',
        id,
      )
    }
  })

  test('415: a content type GitHub does not send', async () => {
    const id = newDeliveryId()
    const res = await deliver(svc.base, {
      event: 'issues',
      id,
      body: issueOpened(),
      secret: SECRET,
      headers: { 'content-type': 'text/plain' },
    })
    await refused(res, 415, 'unsupported_media_type', id)
  })

  test('413: over 25 MB by Content-Length, and by counting a chunked body; other routes keep a small limit', async () => {
    const id = newDeliveryId()
    const huge = new Uint8Array(25 * 1024 * 1024 + 1).fill(0x20)
    const byLength = await fetch(`${svc.base}/api/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${'1'.repeat(64)}`,
      },
      body: huge,
    })
    await refused(byLength, 413, 'payload_too_large', id)

    const chunkedId = newDeliveryId()
    let sent = 0
    const chunk = new Uint8Array(1 << 20).fill(0x20)
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Stops by itself at 30 MB, so a server that never refuses cannot hang the test.
        if (sent >= 30) return controller.close()
        sent++
        controller.enqueue(chunk)
      },
    })
    const chunked = await fetch(`${svc.base}/api/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': chunkedId,
        'x-hub-signature-256': `sha256=${'1'.repeat(64)}`,
      },
      body: stream,
    })
    await refused(chunked, 413, 'payload_too_large', chunkedId)

    const elsewhere = await fetch(`${svc.base}/api/webhook-deliveries/x/redeliver`, {
      method: 'POST',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(200_000) }),
    })
    expect(elsewhere.status).toBe(413)
  })
})

describe('overload', () => {
  const bounds: Array<[string, Record<string, string>, boolean]> = [
    ['one delivery in flight', { BOSUN_WEBHOOKS_MAX_IN_FLIGHT: '1' }, false],
    // The slow chunked body takes the one slot kept for bodies without a Content-Length: a chunked delivery finds
    // none, one with a Content-Length (as GitHub sends) still passes.
    ['one body without Content-Length in flight', { BOSUN_WEBHOOKS_MAX_UNSIZED: '1' }, true],
  ]
  test.each(bounds)(
    'past a bound of %s a delivery is refused at once with 503, nothing recorded',
    async (_, limit, chunked) => {
      using own = tempDir('bosun-webhooks-tight-')
      const tight = await startInProcess({
        NATS_URL: stack.natsUrlFor('webhooks'),
        DATABASE_URL: dbUrl(own.path),
        GITHUB_WEBHOOK_SECRET: SECRET,
        // No slot is given up to a newcomer here: these are the bounds alone.
        BOSUN_WEBHOOKS_SLOW_BODY_MS: '600000',
        ...limit,
      })
      try {
        const body = issueOpened()
        const slowId = newDeliveryId()
        let release = () => {}
        const released = new Promise<void>((resolve) => {
          release = resolve
        })
        const bytes = new TextEncoder().encode(body)
        // The slow delivery sends half its body, then waits: it holds the one slot meanwhile.
        const slow = fetch(`${tight.base}/api/webhooks/github`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'issues',
            'x-github-delivery': slowId,
            'x-hub-signature-256': await sign(SECRET, body),
          },
          body: new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(bytes.slice(0, 50))
              await released
              controller.enqueue(bytes.slice(50))
              controller.close()
            },
          }),
        })
        // A probe signed with a wrong secret is 401 while the slot is free and 503 once the slow delivery holds it.
        await waitFor(
          async () =>
            (await deliver(tight.base, { event: 'issues', body, chunked, secret: 'not-the-secret' }))
              .status === 503,
          10_000,
          'the slow delivery to hold the slot',
        )
        const refusedId = newDeliveryId()
        const refused = await deliver(tight.base, {
          event: 'issues',
          id: refusedId,
          body,
          secret: SECRET,
          chunked,
        })
        expect(refused.status).toBe(503)
        expect(await refused.json()).toMatchObject({ error: 'unavailable' })
        if (chunked)
          expect((await deliver(tight.base, { event: 'issues', body, secret: SECRET })).status).toBe(202)
        release()
        expect((await slow).status).toBe(202)
        const again = await deliver(tight.base, { event: 'issues', id: refusedId, body, secret: SECRET })
        expect(again.status).toBe(202)
      } finally {
        await tight.close()
      }
    },
  )
})

describe('slow senders', () => {
  /** A service with one delivery slot and a 300 ms body deadline. */
  const startTight = (dir: string) =>
    startInProcess({
      NATS_URL: stack.natsUrlFor('webhooks'),
      DATABASE_URL: dbUrl(dir),
      GITHUB_WEBHOOK_SECRET: SECRET,
      BOSUN_WEBHOOKS_MAX_IN_FLIGHT: '1',
      BOSUN_WEBHOOKS_BODY_TIMEOUT_MS: '300',
      BOSUN_WEBHOOKS_SLOW_BODY_MS: '600000',
    })

  test('a declared body not received within the deadline is refused, its connection closed and its slot freed', async () => {
    using own = tempDir('bosun-webhooks-slow-sized-')
    const tight = await startTight(own.path)
    const body = issueOpened()
    const slowId = newDeliveryId()
    const { port } = new URL(tight.base)
    let answer = ''
    let closed = false
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port: Number(port),
      socket: {
        data: (_, chunk) => {
          answer += new TextDecoder().decode(chunk)
        },
        close: () => {
          closed = true
        },
      },
    })
    try {
      // Headers and a Content-Length, then a twentieth of the body, then nothing.
      socket.write(
        `POST /api/webhooks/github HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
          `x-github-event: issues\r\nx-github-delivery: ${slowId}\r\n` +
          `x-hub-signature-256: ${await sign(SECRET, body)}\r\ncontent-length: ${body.length}\r\n\r\n` +
          body.slice(0, 20),
      )
      await waitFor(() => closed, 5000, 'the server to close the connection')
      expect(answer).toStartWith('HTTP/1.1 400')
      expect(answer).toContain('Body not received within 300 ms')
      expect((await deliver(tight.base, { event: 'issues', id: slowId, body, secret: SECRET })).status).toBe(
        202,
      )
    } finally {
      socket.end()
      await tight.close()
    }
  })

  test('a body not received within the deadline is refused and frees its slot', async () => {
    using own = tempDir('bosun-webhooks-slow-')
    const tight = await startTight(own.path)
    let release = () => {}
    const never = new Promise<void>((resolve) => {
      release = resolve
    })
    try {
      const body = issueOpened()
      const slowId = newDeliveryId()
      const trickle = await fetch(`${tight.base}/api/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'issues',
          'x-github-delivery': slowId,
          'x-hub-signature-256': await sign(SECRET, body),
        },
        body: new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode(body.slice(0, 20)))
            await never
            controller.close()
          },
        }),
      })
      expect(trickle.status).toBe(400)
      expect(await trickle.json()).toMatchObject({ error: 'invalid_request' })
      const next = newDeliveryId()
      expect((await deliver(tight.base, { event: 'issues', id: next, body, secret: SECRET })).status).toBe(
        202,
      )
      expect((await deliver(tight.base, { event: 'issues', id: slowId, body, secret: SECRET })).status).toBe(
        202,
      )
    } finally {
      release()
      await tight.close()
    }
  })
})
