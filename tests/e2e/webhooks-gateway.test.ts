import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * GitHub deliveries reach the webhooks service through the gateway, the public URL: concurrent signed ones are all
 * accepted, also while senders without the secret hold connections trickling their bodies, and body limits are
 * the service's own (413), as they are straight at the service.
 */
let stack: Stack
let gateway: URL

beforeAll(async () => {
  stack = await startStack({
    services: ['webhooks', 'gateway'],
    github: false,
    // A byte budget of one largest body, so one slow 25 MB sender would hold all of it.
    env: { BOSUN_WEBHOOKS_MAX_IN_FLIGHT_BYTES: String(25 * 1024 * 1024), BOSUN_WEBHOOKS_SLOW_BODY_MS: '0' },
  })
  gateway = new URL(stack.publicUrl)
}, 60_000)

afterAll(async () => {
  await stack.stop()
})

function signedDelivery(n: number) {
  const body = JSON.stringify({
    action: 'opened',
    issue: { number: n, title: `Issue ${n}`, body: 'x'.repeat(4000) },
    repository: { full_name: 'demo-org/demo-repo' },
  })
  const signature = `sha256=${createHmac('sha256', stack.webhookSecret).update(body).digest('hex')}`
  return fetch(`${stack.publicUrl}/api/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': crypto.randomUUID(),
      'x-hub-signature-256': signature,
    },
    body,
  })
}

/** A sender without the secret: headers and a first chunk, then nothing until closed. */
async function slowSender(declaredLength: number | undefined) {
  const socket = await Bun.connect({
    hostname: gateway.hostname,
    port: Number(gateway.port),
    socket: { data() {} },
  })
  const framing =
    declaredLength === undefined ? 'transfer-encoding: chunked\r\n' : `content-length: ${declaredLength}\r\n`
  const first = declaredLength === undefined ? '1\r\n{\r\n' : '{'
  socket.write(
    `POST /api/webhooks/github HTTP/1.1\r\nhost: ${gateway.host}\r\ncontent-type: application/json\r\n` +
      `x-github-event: issues\r\nx-github-delivery: ${crypto.randomUUID()}\r\n` +
      `x-hub-signature-256: sha256=${'0'.repeat(64)}\r\n${framing}\r\n${first}`,
  )
  return socket
}

const arriving = async () => {
  const text = await (await fetch(`${stack.services.webhooks!.url}/metrics`)).text()
  return Number(/^bosun_webhooks_bodies_arriving\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0)
}

test('20 concurrent signed deliveries through the gateway are all accepted', async () => {
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signedDelivery(i)))
  expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202))
})

test('signed deliveries are all accepted while senders without the secret trickle bodies', async () => {
  const slow = [await slowSender(undefined), await slowSender(undefined), await slowSender(25 * 1024 * 1024)]
  try {
    await waitFor(async () => (await arriving()) === 3, 10_000, 'three slow bodies admitted')
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signedDelivery(100 + i)))
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202))
  } finally {
    for (const s of slow) s.end()
  }
})

test('a body over the service limit is 413 through the gateway as it is straight at the service', async () => {
  const body = JSON.stringify({ note: 'x'.repeat(1.5 * 1024 * 1024) })
  for (const base of [stack.publicUrl, stack.services.webhooks!.url]) {
    const res = await fetch(`${base}/api/webhook-deliveries/some-id/redeliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.bootstrapKey}` },
      body,
    })
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: string }).error).toBe('payload_too_large')
  }
})
