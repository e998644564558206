import {
  AicaMessage,
  type ItemBody,
  RELAY_PROTOCOL_VERSION,
  type RunnerMessage,
} from '@bosun/contracts/relay'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { isValid } from '@bosun/service-kit/validate'
import type { Static } from 'elysia'

type Welcome = Extract<AicaMessage, { type: 'welcome' }>
type Outgoing = RunnerMessage extends infer M ? (M extends { v: 1 } ? Omit<M, 'v'> : never) : never
export type RelayCommand = Exclude<AicaMessage, { type: 'welcome' | 'ack' | 'pong' | 'token' }>

export type Relay = {
  /** The first welcome: what aica already holds for this worktree's threads. */
  welcome: Promise<Welcome>
  /** Sends an item; it is resent after a reconnect until aica acks its key. */
  item(threadId: string, key: string, body: ItemBody): void
  /** Frames that need no ack (status, deltas, backups, sandbox, session). */
  send(frame: Outgoing): void
  /** Resolves once every item sent so far is acked (or the deadline passes). */
  flush(timeoutMs?: number): Promise<boolean>
  seqOf(key: string): number | undefined
  close(): void
}

const MAX_ATTEMPTS = 8

/**
 * The runner's side of the relay WebSocket, authenticated by the relay token. Reconnects with backoff
 * (using a refreshed token when aica sent one), and resends every unacked item whose key the new
 * welcome does not list.
 */
export function connectRelay(opts: {
  url: string
  token: string
  runnerId: string
  runId: string
  logger: Logger
  onCommand(cmd: RelayCommand): void
  onLost(reason: string): void
}): Relay {
  let token = opts.token
  let ws: WebSocket | undefined
  let closed = false
  let attempts = 0
  const pending = new Map<string, Omit<Extract<RunnerMessage, { type: 'item' }>, 'v'>>()
  const seqs = new Map<string, number>()
  let resolveWelcome: (w: Welcome) => void = () => {}
  let rejectWelcome: (e: Error) => void = () => {}
  const welcome = new Promise<Welcome>((resolve, reject) => {
    resolveWelcome = resolve
    rejectWelcome = reject
  })
  welcome.catch(() => {})
  const waiters = new Set<() => void>()

  const raw = (frame: Outgoing) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ v: RELAY_PROTOCOL_VERSION, ...frame }))
  }

  const open = () => {
    const socket = new WebSocket(opts.url, { headers: { authorization: `Bearer ${token}` } })
    ws = socket
    socket.onopen = () => {
      raw({ type: 'hello', runnerId: opts.runnerId, runId: opts.runId })
    }
    socket.onmessage = (ev) => {
      let msg: unknown
      try {
        msg = JSON.parse(String(ev.data))
      } catch {
        return
      }
      if (!isValid(AicaMessage, msg)) return
      const m = msg as Static<typeof AicaMessage>
      switch (m.type) {
        case 'welcome': {
          attempts = 0
          const stored = new Set(m.threads.flatMap((t) => t.keys))
          for (const [key, frame] of pending) {
            if (stored.has(key)) pending.delete(key)
            else raw(frame)
          }
          resolveWelcome(m)
          return
        }
        case 'ack':
          seqs.set(m.key, m.seq)
          pending.delete(m.key)
          if (pending.size === 0) for (const w of waiters) w()
          return
        case 'token':
          token = m.relayToken
          return
        case 'pong':
          return
        case 'error':
          opts.logger.warn('relay refused a frame', { code: m.code, fatal: m.fatal })
          if (m.fatal) {
            closed = true
            socket.close()
            rejectWelcome(new Error(`relay refused: ${m.code}`))
            opts.onLost(`relay refused: ${m.code} ${m.message}`)
          }
          return
        default:
          opts.onCommand(m)
      }
    }
    socket.onclose = (ev) => {
      if (closed) return
      attempts += 1
      if (attempts > MAX_ATTEMPTS) {
        rejectWelcome(new Error(`relay closed (${ev.code})`))
        opts.onLost(`relay connection lost (${ev.code})`)
        return
      }
      const delay = Math.min(200 * 2 ** attempts, 5000)
      setTimeout(() => {
        if (!closed) open()
      }, delay)
    }
    socket.onerror = () => {
      opts.logger.debug('relay socket error', errorFields(new Error('socket error')))
    }
  }
  open()

  const ping = setInterval(() => raw({ type: 'ping' }), 20_000)

  return {
    welcome,
    item(threadId, key, body) {
      const frame = { type: 'item' as const, threadId, key, body }
      pending.set(key, frame)
      raw(frame)
    },
    send: raw,
    async flush(timeoutMs = 10_000) {
      if (pending.size === 0) return true
      let done: () => void = () => {}
      const drained = new Promise<void>((resolve) => {
        done = resolve
      })
      waiters.add(done)
      const ok = await Promise.race([drained.then(() => true), Bun.sleep(timeoutMs).then(() => false)])
      waiters.delete(done)
      return ok
    },
    seqOf: (key) => seqs.get(key),
    close() {
      closed = true
      clearInterval(ping)
      ws?.close()
    },
  }
}
