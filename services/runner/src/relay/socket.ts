import {
  AicaMessage,
  type ItemBody,
  RELAY_PROTOCOL_VERSION,
  type RunnerMessage,
} from '@bosun/contracts/relay'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { parseValid } from '@bosun/service-kit/validate'

type Welcome = Extract<AicaMessage, { type: 'welcome' }>
type Outgoing = RunnerMessage extends infer M ? (M extends { v: 1 } ? Omit<M, 'v'> : never) : never
export type RelayCommand = Exclude<AicaMessage, { type: 'welcome' | 'ack' | 'pong' | 'token' }>

export type Relay = {
  /** The first welcome: what aica already holds for this worktree's threads. */
  welcome: Promise<Welcome>
  /** Sends an item; it is resent after a reconnect until aica acks its key. */
  item(threadId: string, key: string, body: ItemBody): void
  /**
   * Frames without an ack (deltas, backups, sandbox, session) are sent if the socket is open. A status is
   * kept until aica has applied it, and sent again after a reconnect unless the welcome shows it.
   */
  send(frame: Outgoing): void
  /** Resolves true once every item and status sent so far is applied by aica, false at the deadline. */
  flush(timeoutMs?: number): Promise<boolean>
  seqOf(key: string): number | undefined
  close(): void
}

const MAX_ATTEMPTS = 8

type ItemFrame = Omit<Extract<RunnerMessage, { type: 'item' }>, 'v'>
type StatusFrame = Extract<Outgoing, { type: 'status' }>

/**
 * The runner's side of the relay WebSocket, authenticated by the relay token. Reconnects with backoff
 * (using a refreshed token when aica sent one), and resends every unacked item whose key the new
 * welcome does not list, and each thread's latest unconfirmed status, in the order they were first sent.
 * aica applies a socket's frames in order, so an ack or pong confirms every status sent before it: a
 * status lost with a dropped socket would otherwise leave the thread `running` on aica for ever.
 */
export function connectRelay(opts: {
  url: string
  token: string
  runnerId: string
  runId: string
  logger: Logger
  onCommand(cmd: RelayCommand): void
  /** Every welcome, the first and each after a reconnect. */
  onWelcome?(welcome: Welcome): void
  onLost(reason: string): void
}): Relay {
  let token = opts.token
  let ws: WebSocket | undefined
  let closed = false
  let lostForGood = false
  let attempts = 0
  /** Send order of tracked frames (items, statuses, pings) on the current connection. */
  let order = 0
  const pending = new Map<string, { n: number; frame: ItemFrame }>()
  const statuses = new Map<string, { n: number; frame: StatusFrame }>()
  let pings: number[] = []
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
    if (ws?.readyState !== WebSocket.OPEN) return false
    ws.send(JSON.stringify({ v: RELAY_PROTOCOL_VERSION, ...frame }))
    return true
  }
  const settle = () => {
    if (pending.size === 0 && statuses.size === 0) for (const w of waiters) w()
  }
  /** Everything sent before the frame numbered `n` on this connection has been applied by aica. */
  const appliedBefore = (n: number) => {
    for (const [threadId, s] of statuses) if (s.n < n) statuses.delete(threadId)
    settle()
  }
  const sendTracked = (entry: { n: number; frame: Outgoing }) => {
    entry.n = ++order
    raw(entry.frame)
  }
  const ping = () => {
    const n = ++order
    if (raw({ type: 'ping' })) pings.push(n)
  }

  const open = () => {
    const socket = new WebSocket(opts.url, { headers: { authorization: `Bearer ${token}` } })
    ws = socket
    pings = []
    socket.onopen = () => {
      raw({ type: 'hello', runnerId: opts.runnerId, runId: opts.runId })
    }
    socket.onmessage = (ev) => {
      const m = parseValid(AicaMessage, String(ev.data))
      if (!m) return
      switch (m.type) {
        case 'welcome': {
          attempts = 0
          const stored = new Set(m.threads.flatMap((t) => t.keys))
          const held = new Map(m.threads.map((t) => [t.threadId, t.status]))
          for (const key of pending.keys()) if (stored.has(key)) pending.delete(key)
          for (const [threadId, s] of statuses)
            if (held.get(threadId) === s.frame.status) statuses.delete(threadId)
          const again = [...pending.values(), ...statuses.values()].sort((a, b) => a.n - b.n)
          for (const entry of again) sendTracked(entry)
          if (statuses.size > 0) ping()
          resolveWelcome(m)
          opts.onWelcome?.(m)
          settle()
          return
        }
        case 'ack': {
          seqs.set(m.key, m.seq)
          const entry = pending.get(m.key)
          pending.delete(m.key)
          if (entry) appliedBefore(entry.n)
          settle()
          return
        }
        case 'token':
          token = m.relayToken
          return
        case 'pong': {
          const n = pings.shift()
          if (n !== undefined) appliedBefore(n)
          return
        }
        case 'error':
          opts.logger.warn('relay refused a frame', { code: m.code, fatal: m.fatal })
          if (m.fatal) {
            closed = true
            lostForGood = true
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
        lostForGood = true
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

  const keepAlive = setInterval(ping, 20_000)

  return {
    welcome,
    item(threadId, key, body) {
      const entry = { n: 0, frame: { type: 'item' as const, threadId, key, body } }
      pending.set(key, entry)
      sendTracked(entry)
    },
    send(frame) {
      if (frame.type !== 'status') return void raw(frame)
      const entry = { n: 0, frame }
      statuses.set(frame.threadId, entry)
      sendTracked(entry)
    },
    async flush(timeoutMs = 10_000) {
      if (pending.size === 0 && statuses.size === 0) return true
      if (lostForGood) return false
      let done: () => void = () => {}
      const drained = new Promise<void>((resolve) => {
        done = resolve
      })
      waiters.add(done)
      // A status is confirmed by whatever aica answers after it; a ping makes it answer.
      if (statuses.size > 0) ping()
      const ok = await Promise.race([drained.then(() => true), Bun.sleep(timeoutMs).then(() => false)])
      waiters.delete(done)
      return ok
    },
    seqOf: (key) => seqs.get(key),
    close() {
      closed = true
      clearInterval(keepAlive)
      ws?.close()
    },
  }
}
