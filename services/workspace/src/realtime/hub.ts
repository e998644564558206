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

/**
 * Fan-out across instances: every committed change is published on `bosun.rt.workspace.<id>` (core NATS)
 * and each instance keeps one subscription per workspace that has sockets open here.
 */
export function createLiveHub(bus: Bus, logger: Logger): LiveHub {
  const listeners = new Map<string, Set<Listener>>()
  const subs = new Map<string, Subscription>()
  const subject = (id: string) => bus.subjects.rt('workspace', id)

  const listen = (id: string) => {
    const sub = bus.nc.subscribe(subject(id))
    subs.set(id, sub)
    ;(async () => {
      for await (const m of sub) {
        const change = m.json() as unknown
        if (!isValid(LiveChange, change)) {
          logger.warn('dropped invalid live change', { subject: m.subject })
          continue
        }
        for (const l of listeners.get(id) ?? []) l(change as LiveChange)
      }
    })()
  }

  return {
    publish(change) {
      bus.nc.publish(subject(change.workspaceId), JSON.stringify(change))
    },
    subscribe(id, listener) {
      let set = listeners.get(id)
      if (!set) {
        set = new Set()
        listeners.set(id, set)
        listen(id)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) {
          listeners.delete(id)
          subs.get(id)?.unsubscribe()
          subs.delete(id)
        }
      }
    },
    close() {
      for (const s of subs.values()) s.unsubscribe()
      subs.clear()
      listeners.clear()
    },
  }
}
