import { LiveThreadEvent } from '@bosun/contracts/aica'
import type { Bus } from '@bosun/service-kit/bus'

type Listener = (event: LiveThreadEvent) => void

export type ThreadHub = {
  /** Says "thread X has items up to seq" to every instance; sockets read the items from the database. */
  publishItem(threadId: string, seq: number): void
  publishDelta(threadId: string, key: string, text: string): void
  /** Says "thread X's summary changed"; sockets read it from the database and send it again. */
  publishThread(threadId: string): void
  subscribe(threadId: string, listener: Listener): () => void
  close(): void
}

/** Fan-out across instances on `bosun.rt.aica.thread.<id>`, one wildcard subscription per instance. */
export function createThreadHub(bus: Bus): ThreadHub {
  const listeners = new Map<string, Set<Listener>>()
  const subject = (id: string) => bus.subjects.rt('aica', 'thread', id)
  const sub = bus.onLive(subject('*'), LiveThreadEvent, (event) => {
    for (const l of listeners.get(event.threadId) ?? []) l(event)
  })
  const publish = (event: LiveThreadEvent) => bus.nc.publish(subject(event.threadId), JSON.stringify(event))
  return {
    publishItem: (threadId, seq) => publish({ type: 'item', threadId, seq }),
    publishDelta: (threadId, key, text) => publish({ type: 'delta', threadId, key, text }),
    publishThread: (threadId) => publish({ type: 'thread', threadId }),
    subscribe(threadId, listener) {
      let set = listeners.get(threadId)
      if (!set) {
        set = new Set()
        listeners.set(threadId, set)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(threadId)
      }
    },
    close() {
      sub.unsubscribe()
      listeners.clear()
    },
  }
}
