import { natsConnectOptions } from '@bosun/contracts/nats-url'
import {
  AICA_WORK_STREAM,
  type AicaMessage,
  aicaWorkConsumer,
  type ItemBody,
  type Priority,
  RELAY_PROTOCOL_VERSION,
  type RunnerMessage,
  type RunnerStatus,
  type ThreadError,
  type WorkEnvelope,
} from '@bosun/contracts/relay'
import { connect, type NatsConnection } from 'nats'
import { waitFor } from './wait'

const v = RELAY_PROTOCOL_VERSION

/**
 * Plays the runner's side of the relay protocol for tests: takes work messages from the queue and
 * speaks relay frames over a real WebSocket. It does nothing a real runner would not do.
 */
export type RelayClient = {
  frames: AicaMessage[]
  /** Resolves with the first frame (from now on, or already received when `seen`) that matches. */
  next<T extends AicaMessage['type']>(
    type: T,
    match?: (f: Extract<AicaMessage, { type: T }>) => boolean,
  ): Promise<Extract<AicaMessage, { type: T }>>
  send(frame: RunnerMessage): void
  item(threadId: string, key: string, body: ItemBody): Promise<number>
  status(threadId: string, status: RunnerStatus, error?: ThreadError): void
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

export type RelayAuth = { header?: string; query?: string }

/** Opens a relay socket; rejects with the HTTP status when the upgrade is refused. */
export async function openRelay(baseUrl: string, path: string, auth: RelayAuth): Promise<RelayClient> {
  const url = new URL(path, baseUrl.replace(/^http/, 'ws'))
  if (auth.query) url.searchParams.set('token', auth.query)
  const ws = new WebSocket(url, {
    headers: auth.header ? { authorization: `Bearer ${auth.header}` } : {},
  } as unknown as string[])
  const frames: AicaMessage[] = []
  let cursor = 0
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
  )
  ws.addEventListener('message', (e) => frames.push(JSON.parse(String(e.data)) as AicaMessage))
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('relay socket refused')))
  })
  const next: RelayClient['next'] = async (type, match) => {
    const found = await waitFor(
      () => {
        for (let i = cursor; i < frames.length; i++) {
          const f = frames[i]!
          if (f.type === type && (!match || match(f as never))) {
            cursor = i + 1
            return f
          }
        }
        return undefined
      },
      10_000,
      `relay frame ${type}`,
    )
    return found as never
  }
  const send = (frame: RunnerMessage) => ws.send(JSON.stringify(frame))
  return {
    frames,
    next,
    send,
    async item(threadId, key, body) {
      send({ v, type: 'item', threadId, key, body })
      return (await next('ack', (a) => a.key === key && a.threadId === threadId)).seq
    },
    status: (threadId, status, error) =>
      send({ v, type: 'status', threadId, status, ...(error ? { error } : {}) }),
    closed,
    close: () => ws.close(),
  }
}

/** A runner's pull of one work message of a priority (acked at once: tests drive the rest by hand). */
export async function takeWork(
  natsUrl: string,
  priority: Priority = 'normal',
  timeoutMs = 10_000,
): Promise<WorkEnvelope | undefined> {
  const nc: NatsConnection = await connect(natsConnectOptions(natsUrl))
  try {
    const consumer = await nc.jetstream().consumers.get(AICA_WORK_STREAM, aicaWorkConsumer(priority))
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const m = await consumer.next({ expires: Math.min(2000, Math.max(500, deadline - Date.now())) })
      if (m) {
        // Confirmed, so the ack cannot be lost when this connection closes right after.
        await m.ackAck()
        return m.json() as WorkEnvelope
      }
    }
    return undefined
  } finally {
    await nc.close()
  }
}
