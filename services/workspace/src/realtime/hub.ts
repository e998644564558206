import { type LiveChange, LiveChanges } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'

type Listener = (change: LiveChange) => void

export type LiveHub = {
  publish(change: LiveChange): void
  subscribe(workspaceId: string, listener: Listener): () => void
  close(): void
}

/** Called for every change of every workspace, from any instance (the snapshot cache listens here). */
export type AnyChange = (change: LiveChange) => void

/**
 * Fan-out across instances: committed changes are published on `bosun.rt.workspace.<id>` (core NATS), those of
 * one workspace published in the same turn of the event loop (a group commit's) as one message; each instance
 * holds one wildcard subscription and hands changes to its sockets and to `onAny`.
 */
export function createLiveHub(bus: Bus, onAny: AnyChange): LiveHub {
  const listeners = new Map<string, Set<Listener>>()
  const subject = (id: string) => bus.subjects.rt('workspace', id)
  const sub = bus.onLive(subject('*'), LiveChanges, (changes) => {
    for (const c of changes) {
      onAny(c)
      for (const l of listeners.get(c.workspaceId) ?? []) l(c)
    }
  })

  let pending = new Map<string, LiveChange[]>()
  const flush = () => {
    const out = pending
    pending = new Map()
    for (const [id, changes] of out) bus.nc.publish(subject(id), JSON.stringify(changes))
  }

  return {
    publish(change) {
      if (pending.size === 0) setImmediate(flush)
      const queued = pending.get(change.workspaceId)
      if (queued) queued.push(change)
      else pending.set(change.workspaceId, [change])
    },
    subscribe(id, listener) {
      let set = listeners.get(id)
      if (!set) {
        set = new Set()
        listeners.set(id, set)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(id)
      }
    },
    close() {
      flush()
      sub.unsubscribe()
      listeners.clear()
    },
  }
}
