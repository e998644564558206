import { LiveChange } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'
import type { Logger } from '@bosun/service-kit/log'
import { isValid } from '@bosun/service-kit/validate'
import type { Subscription } from 'nats'

type Listener = (change: LiveChange) => void

export type LiveHub = {
  publish(change: LiveChange): void
  subscribe(workspaceId: string, listener: Listener): () => void
  close(): void
}

/** Called for every change of every workspace, from any instance (the snapshot cache listens here). */
export type AnyChange = (change: LiveChange) => void

/**
 * Fan-out across instances: every committed change is published on `bosun.rt.workspace.<id>` (core NATS);
 * each instance holds one wildcard subscription and hands changes to its sockets and to `onAny`.
 */
export function createLiveHub(bus: Bus, logger: Logger, onAny: AnyChange): LiveHub {
  const listeners = new Map<string, Set<Listener>>()
  const subject = (id: string) => bus.subjects.rt('workspace', id)
  const sub: Subscription = bus.nc.subscribe(subject('*'))
  ;(async () => {
    for await (const m of sub) {
      const change = m.json() as unknown
      if (!isValid(LiveChange, change)) {
        logger.warn('dropped invalid live change', { subject: m.subject })
        continue
      }
      const c = change as LiveChange
      onAny(c)
      for (const l of listeners.get(c.workspaceId) ?? []) l(c)
    }
  })()

  return {
    publish(change) {
      bus.nc.publish(subject(change.workspaceId), JSON.stringify(change))
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
      sub.unsubscribe()
      listeners.clear()
    },
  }
}
