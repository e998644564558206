import { join } from 'node:path'
import { decodeEventData, EVENT_ENCODING_HEADER } from '@bosun/contracts/envelope'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { sign } from '@octokit/webhooks-methods'
import { AckPolicy, DeliverPolicy, type NatsConnection } from 'nats'
import { createApp } from '../src/app'
import { WebhooksEnv } from '../src/env'
import { startWebhooks } from '../src/start'

const logger = createLogger('webhooks-test', 'silent')

export type Webhooks = Awaited<ReturnType<typeof startWebhooks>> & {
  base: string
  close(): Promise<void>
}

/** The service in this process on a random port, over a real database file and a real NATS. */
export async function startInProcess(env: Record<string, string>): Promise<Webhooks> {
  const parsed = parseEnv(WebhooksEnv, { LOG_LEVEL: 'silent', PORT: '0', ...env })
  const started = await startWebhooks(parsed, logger)
  const server = createApp(started.deps).listen({
    port: 0,
    hostname: '127.0.0.1',
    maxRequestBodySize: 64 << 20,
  })
  return {
    ...started,
    base: `http://127.0.0.1:${server.server!.port}`,
    async close() {
      await server.stop()
      await started.stop()
    },
  }
}

export const dbUrl = (dir: string) => `file:${join(dir, 'webhooks.db')}`

export const newDeliveryId = () => crypto.randomUUID()

export type Delivery = {
  event: string
  id?: string
  body: string | Uint8Array
  secret?: string
  /** Overrides of the headers GitHub sends; `null` removes one. */
  headers?: Record<string, string | null>
  /** Sent as a stream, so without a Content-Length (chunked), which GitHub never does. */
  chunked?: boolean
}

/** Sends a delivery as GitHub does: JSON body, its HMAC in X-Hub-Signature-256, the GitHub headers. */
export async function deliver(base: string, d: Delivery): Promise<Response> {
  const text = typeof d.body === 'string' ? d.body : new TextDecoder().decode(d.body)
  const signature = d.secret === undefined ? undefined : await sign(d.secret, text)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': d.event,
    'x-github-delivery': d.id ?? newDeliveryId(),
    'x-github-hook-id': '42',
    ...(signature ? { 'x-hub-signature-256': signature, 'x-hub-signature': 'sha1=0000' } : {}),
  }
  for (const [k, v] of Object.entries(d.headers ?? {})) {
    if (v === null) delete headers[k]
    else headers[k] = v
  }
  const bytes = typeof d.body === 'string' ? new TextEncoder().encode(d.body) : d.body
  const body = d.chunked
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes)
          controller.close()
        },
      })
    : d.body
  return fetch(`${base}/api/webhooks/github`, { method: 'POST', headers, body })
}

export type PublishedEvent = {
  subject: string
  /** Its sequence in the stream. */
  seq: number
  id: string
  type: string
  data: {
    deliveryId: string
    event: string
    action?: string
    repository?: string
    installationId?: number
    redelivery: boolean
    payload: unknown
    payloadOmitted?: boolean
  }
}

/** Every event in BOSUN_EVENTS under `filter`, read with a throwaway consumer. */
export async function publishedEvents(nc: NatsConnection, filter = 'bosun.evt.github.>') {
  const jsm = await nc.jetstreamManager()
  const info = await jsm.consumers.add(EVENTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filter,
    inactive_threshold: 60_000_000_000,
  })
  const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, info.name)
  const out: PublishedEvent[] = []
  try {
    while (out.length < info.num_pending) {
      const batch = await consumer.fetch({
        max_messages: Math.min(500, info.num_pending - out.length),
        expires: 5000,
      })
      let got = 0
      for await (const m of batch) {
        got++
        out.push({
          subject: m.subject,
          seq: m.seq,
          ...(decodeEventData(m.data, m.headers?.get(EVENT_ENCODING_HEADER) || undefined) as Omit<
            PublishedEvent,
            'subject' | 'seq'
          >),
        })
      }
      if (got === 0) throw new Error(`expected ${info.num_pending} events, read ${out.length}`)
    }
  } finally {
    await jsm.consumers.delete(EVENTS_STREAM, info.name).catch(() => {})
  }
  return out
}

export const byDelivery = (events: PublishedEvent[], deliveryId: string) =>
  events.filter((e) => e.data.deliveryId === deliveryId)
