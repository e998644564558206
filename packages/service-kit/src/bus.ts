import {
  decodeEventData,
  EVENT_ENCODING_HEADER,
  type EventDef,
  type ZSTD_ENCODING,
} from '@bosun/contracts/envelope'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import type { RpcDef } from '@bosun/contracts/rpc'
import { EVENTS_STREAM, type Subjects, subjects } from '@bosun/contracts/subjects'
import type { Static, TSchema } from '@sinclair/typebox'
import {
  connect,
  DiscardPolicy,
  headers,
  type JetStreamClient,
  type JetStreamManager,
  type Msg,
  type NatsConnection,
  RetentionPolicy,
  type Service,
  StorageType,
  type Subscription,
} from 'nats'
import { type PermissionRefusal, watchConnection } from './bus-status'
import { AppError } from './errors'
import { errorFields, type Logger } from './log'
import { openReply, parseReplyKey, REPLY_KEY_HEADER, replyKeyPair, sealReply } from './sealed-reply'
import { createStreamPublisher, type StreamPublisher } from './stream-publisher'
import { assertValid, parseJson, parseValid } from './validate'

export type Bus = {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  /** Publishes to JetStream streams (the outbox relay's path). */
  stream: StreamPublisher
  subjects: Subjects
  source: string
  /** Typed request to another service's endpoint; a service error comes back as an AppError. */
  request<D extends RpcDef>(
    def: D,
    data: Static<D['request']>,
    timeoutMs?: number,
  ): Promise<Static<D['response']>>
  /** `request` on a subject of the caller's choosing (one per resource, answered by whoever holds it). */
  requestAt<D extends RpcDef>(
    subject: string,
    def: D,
    data: Static<D['request']>,
    timeoutMs?: number,
  ): Promise<Static<D['response']>>
  /**
   * Answers `def` on a subject of its own with a plain subscription (not registered with the services
   * API: such subjects come and go with what this instance holds). Unsubscribing ends it.
   */
  serveAt<D extends RpcDef>(
    subject: string,
    def: D,
    handler: (data: Static<D['request']>) => Promise<Static<D['response']>>,
  ): Subscription
  /** Answers a request/reply endpoint and registers it with the NATS services API. */
  serve<D extends RpcDef>(
    def: D,
    handler: (data: Static<D['request']>) => Promise<Static<D['response']>>,
  ): void
  /** Core-NATS subscription to an event subject (live only, nothing stored); validates every message. */
  onEvent<E extends EventDef>(def: E, handler: (data: Static<E['data']>) => void, subjectTail?: string): void
  /**
   * Core-NATS subscription to a live subject (`subjects.rt`, wildcards allowed) whose messages are JSON of
   * `schema`; one that is not is logged and dropped, as is a handler's throw, and the subscription goes on. The handler gets the message
   * too, for its subject or to answer a request. Unsubscribing ends it.
   */
  onLive<S extends TSchema>(
    subject: string,
    schema: S,
    handler: (value: Static<S>, msg: Msg) => void,
  ): Subscription
  close(): Promise<void>
}

export type BusOptions = {
  url: string
  name: string
  version: string
  prefix: string
  logger: Logger
  /** Max age of events kept in BOSUN_EVENTS. */
  eventsMaxAgeMs?: number
  /** Called when the server refuses a subscription; by default the process exits 1 (`watchConnection`). */
  onSubscriptionRefused?: (refusal: PermissionRefusal) => void
}

const MS = 1_000_000
const encoder = new TextEncoder()

/**
 * Each service's replies arrive under an inbox prefix of its own, so NATS permissions can let only that
 * service read them (infra/nats/auth.conf): an answer that carries a secret (extraEnv, a user's GitHub
 * token) reaches its requester and no passive subscriber.
 */
export const inboxPrefixOf = (service: string) => `_INBOX_${service}`

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const inboxPrefix = inboxPrefixOf(opts.name)
  const nc = await connect({
    ...natsConnectOptions(opts.url),
    name: opts.name,
    inboxPrefix,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  })
  watchConnection(nc, {
    logger: opts.logger,
    user: opts.name,
    onSubscriptionRefused: opts.onSubscriptionRefused,
  })
  const subj = subjects(opts.prefix)
  const jsm = await nc.jetstreamManager()
  await ensureEventsStream(jsm, subj, opts.eventsMaxAgeMs ?? 7 * 24 * 3600 * 1000)
  const js = nc.jetstream()
  const stream = createStreamPublisher(nc, undefined, inboxPrefix)
  const services = new Map<string, Promise<Service>>()

  const service = (name: string) => {
    let s = services.get(name)
    if (!s) {
      // Service names may not contain '.', so `bosun-workspace`, not `bosun.workspace`.
      s = nc.services.add({
        name: `${opts.prefix}-${name}`,
        version: opts.version,
        description: `Bosun ${name}`,
      })
      services.set(name, s)
    }
    return s
  }

  async function call<D extends RpcDef>(
    subject: string,
    def: D,
    data: Static<D['request']>,
    timeoutMs = 5000,
  ): Promise<Static<D['response']>> {
    const payload = assertValid(def.request, data, `${def.service}.${def.op} request`)
    const keys = def.sealed ? replyKeyPair() : undefined
    const h = keys ? headers() : undefined
    if (keys) h!.set(REPLY_KEY_HEADER, keys.publicKey)
    const reply = await nc.request(subject, JSON.stringify(payload), { timeout: timeoutMs, headers: h })
    const code = reply.headers?.get('Nats-Service-Error-Code')
    if (code) {
      const body = parseJson(reply.data) as { error?: string; message?: string } | undefined
      const message = reply.headers?.get('Nats-Service-Error') ?? 'service error'
      throw new AppError(
        (body?.error as AppError['code'] | undefined) ?? (code === '404' ? 'not_found' : 'internal'),
        body?.message ?? message,
      )
    }
    const body = keys ? parseJson(openReply(keys.privateKey, reply.data)) : reply.json()
    return assertValid(def.response, body, `${def.service}.${def.op} response`)
  }

  return {
    nc,
    js,
    jsm,
    stream,
    subjects: subj,
    source: opts.name,
    request: (def, data, timeoutMs) => call(subj.svc(def.service, def.op), def, data, timeoutMs),
    requestAt: call,
    serveAt(subject, def, handler) {
      const answer = async (msg: Msg) => {
        try {
          const input = assertValid(def.request, parseJson(msg.data), `${def.op} request`)
          msg.respond(JSON.stringify(assertValid(def.response, await handler(input), `${def.op} response`)))
        } catch (e) {
          const appErr = e instanceof AppError ? e : new AppError('internal', 'Internal error')
          if (!(e instanceof AppError))
            opts.logger.error('nats handler failed', { op: def.op, ...errorFields(e) })
          const h = headers()
          h.set('Nats-Service-Error-Code', String(appErr.status))
          h.set('Nats-Service-Error', appErr.message)
          msg.respond(JSON.stringify(appErr.toBody()), { headers: h })
        }
      }
      const sub = nc.subscribe(subject)
      // Requests are answered side by side; a refused subscription ends the loop (watchConnection reports it).
      ;(async () => {
        for await (const msg of sub) void answer(msg)
      })().catch(() => {})
      return sub
    },
    serve(def, handler) {
      void service(def.service).then((srv) => {
        srv.addEndpoint(def.op, {
          subject: subj.svc(def.service, def.op),
          metadata: { description: def.description },
          handler: async (err, msg) => {
            if (err) return opts.logger.error('nats endpoint failed', errorFields(err))
            try {
              // Checked before the handler runs: a secret handed out once must not be spent on a bad key.
              const replyKey = def.sealed ? parseReplyKey(msg.headers?.get(REPLY_KEY_HEADER)) : undefined
              if (def.sealed && !replyKey)
                throw new AppError(
                  'invalid_request',
                  `${def.op} answers only to an X25519 ${REPLY_KEY_HEADER}`,
                )
              const input = assertValid(def.request, parseJson(msg.data), `${def.op} request`)
              const out = JSON.stringify(
                assertValid(def.response, await handler(input), `${def.op} response`),
              )
              msg.respond(def.sealed ? sealReply(replyKey!, encoder.encode(out)) : out)
            } catch (e) {
              const appErr = e instanceof AppError ? e : new AppError('internal', 'Internal error')
              if (!(e instanceof AppError))
                opts.logger.error('nats handler failed', { op: def.op, ...errorFields(e) })
              msg.respondError(appErr.status, appErr.message, encoder.encode(JSON.stringify(appErr.toBody())))
            }
          },
        })
      })
    },
    onEvent(def, handler, subjectTail) {
      const sub = nc.subscribe(subj.evt(subjectTail ?? def.type))
      // A refused subscription ends the loop with its error; watchConnection reports it.
      ;(async () => {
        for await (const m of sub) {
          try {
            const env = assertValid(def.envelope, readEnvelope(m), def.type)
            handler(env.data)
          } catch (e) {
            opts.logger.warn('dropped invalid event', { type: def.type, ...errorFields(e) })
          }
        }
      })().catch(() => {})
    },
    onLive(subject, schema, handler) {
      const sub = nc.subscribe(subject)
      ;(async () => {
        for await (const m of sub) {
          const value = parseValid(schema, m.data)
          if (value === undefined) {
            opts.logger.warn('dropped an invalid live message', { subject: m.subject })
            continue
          }
          // A handler that throws must not end the loop: nothing would read this subject again.
          try {
            handler(value, m)
          } catch (err) {
            opts.logger.error('a live message handler failed', { subject: m.subject, ...errorFields(err) })
          }
        }
      })().catch(() => {})
      return sub
    },
    async close() {
      stream.close()
      for (const s of services.values()) await (await s).stop().catch(() => null)
      await nc.drain().catch(() => {})
    },
  }
}

async function ensureEventsStream(jsm: JetStreamManager, subj: Subjects, maxAgeMs: number) {
  const config = {
    name: EVENTS_STREAM,
    subjects: [subj.allEvents()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: maxAgeMs * MS,
    duplicate_window: 2 * 60 * 1000 * MS,
  }
  try {
    const info = await jsm.streams.info(EVENTS_STREAM)
    if (!info.config.subjects.includes(subj.allEvents())) {
      await jsm.streams.update(EVENTS_STREAM, {
        ...info.config,
        subjects: [...info.config.subjects, subj.allEvents()],
      })
    }
  } catch {
    // Two services starting at once may both try; the loser finds the stream made.
    await jsm.streams.add(config).catch(async (e) => {
      await jsm.streams.info(EVENTS_STREAM).catch(() => {
        throw e
      })
    })
  }
}

export function eventHeaders(id: string, traceparent?: string, encoding?: typeof ZSTD_ENCODING) {
  const h = headers()
  h.set('Nats-Msg-Id', id)
  if (traceparent) h.set('traceparent', traceparent)
  if (encoding) h.set(EVENT_ENCODING_HEADER, encoding)
  return h
}

/** The parsed JSON of an event message (inflated when it travels compressed). Throws on bad data. */
export function readEnvelope(m: Pick<Msg, 'data' | 'headers'>): unknown {
  return decodeEventData(m.data, m.headers?.get(EVENT_ENCODING_HEADER) || undefined)
}
