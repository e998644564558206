import { type AicaMessage, AicaMessage as AicaMessageSchema } from '@bosun/contracts/relay'
import type { Bus } from '@bosun/service-kit/bus'

type Socket = { threadId: string | null; send(msg: AicaMessage): void }

export type RelayRegistry = {
  attach(worktreeId: string, socket: Socket): () => void
  /** Sends a frame to the runner of a worktree, wherever its socket is; false when none is connected. */
  deliver(worktreeId: string, msg: AicaMessage): Promise<boolean>
  /** True when a runner's socket for this thread is open on any instance. */
  held(worktreeId: string, threadId: string): Promise<boolean>
  close(): void
}

const threadOf = (msg: AicaMessage) => ('threadId' in msg ? msg.threadId : null)

/**
 * Relay sockets live on whichever instance the runner reached. Frames for them travel as core-NATS
 * requests on `bosun.rt.aica.relay.<worktreeId>`; only an instance holding a matching socket answers.
 */
export function createRelayRegistry(bus: Bus): RelayRegistry {
  const sockets = new Map<string, Set<Socket>>()
  const subject = (id: string) => bus.subjects.rt('aica', 'relay', id)
  const heldSubject = (id: string) => bus.subjects.rt('aica', 'relay-held', id)
  const heldLocal = (worktreeId: string, threadId: string) =>
    [...(sockets.get(worktreeId) ?? [])].some((s) => s.threadId === null || s.threadId === threadId)
  const sendLocal = (worktreeId: string, msg: AicaMessage) => {
    const thread = threadOf(msg)
    let sent = false
    for (const s of sockets.get(worktreeId) ?? []) {
      if (s.threadId !== null && thread !== null && s.threadId !== thread) continue
      s.send(msg)
      sent = true
    }
    return sent
  }

  const sub = bus.onLive(subject('*'), AicaMessageSchema, (msg, m) => {
    if (sendLocal(m.subject.slice(subject('').length), msg)) m.respond(JSON.stringify({ delivered: true }))
  })
  const heldSub = bus.nc.subscribe(heldSubject('*'))
  ;(async () => {
    for await (const m of heldSub)
      if (heldLocal(m.subject.slice(heldSubject('').length), m.string()))
        m.respond(JSON.stringify({ held: true }))
  })()

  return {
    attach(worktreeId, socket) {
      let set = sockets.get(worktreeId)
      if (!set) {
        set = new Set()
        sockets.set(worktreeId, set)
      }
      set.add(socket)
      return () => {
        set.delete(socket)
        if (set.size === 0) sockets.delete(worktreeId)
      }
    },
    async deliver(worktreeId, msg) {
      if (sendLocal(worktreeId, msg)) return true
      try {
        await bus.nc.request(subject(worktreeId), JSON.stringify(msg), { timeout: 1000 })
        return true
      } catch {
        return false
      }
    },
    async held(worktreeId, threadId) {
      if (heldLocal(worktreeId, threadId)) return true
      try {
        await bus.nc.request(heldSubject(worktreeId), threadId, { timeout: 1000 })
        return true
      } catch {
        return false
      }
    },
    close() {
      sub.unsubscribe()
      heldSub.unsubscribe()
      sockets.clear()
    },
  }
}
