import { ArtifactLive } from '@bosun/contracts/artifacts'
import type { Bus } from '@bosun/service-kit/bus'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { lt } from 'drizzle-orm'
import { findById, view } from '../artifacts/store'
import * as schema from '../db/schema'
import type { Db } from '../deps'

type Listener = (message: ArtifactLive) => void

export type LiveHub = {
  subscribe(workspaceId: string, listener: Listener): () => void
  close(): void
}

const CHANGES_KEPT_MS = 24 * 3600_000

/**
 * After each durable commit, every artifact it changed is read once and published, whole, on
 * `bosun.rt.artifacts.<workspaceId>`; each instance holds one wildcard subscription for its sockets.
 */
export function createLiveHub(database: Db, bus: Bus, logger: Logger): LiveHub {
  const listeners = new Map<string, Set<Listener>>()
  const sub = bus.onLive(bus.subjects.rt('artifacts', '*'), ArtifactLive, (message) => {
    for (const l of listeners.get(message.artifact.workspaceId) ?? []) l(message)
  })

  const publish = async (changed: Map<string, { workspaceId: string; type: string }>) => {
    for (const [artifactId, { workspaceId, type }] of changed) {
      const row = await findById(database.db, workspaceId, artifactId)
      if (!row) continue
      const message: ArtifactLive = { type: 'artifact', change: type, artifact: await view(database.db, row) }
      bus.nc.publish(bus.subjects.rt('artifacts', workspaceId), JSON.stringify(message))
    }
  }

  database.onCommit((inserted) => {
    const changed = new Map<string, { workspaceId: string; type: string }>()
    for (const { workspaceId, artifactId, type } of inserted.rows(schema.changes))
      changed.set(artifactId, { workspaceId, type })
    if (changed.size === 0) return
    publish(changed).catch((err) => logger.warn('live artifact publish failed', errorFields(err)))
  })

  const pruner = setInterval(() => {
    database
      .write((tx) => tx.delete(schema.changes).where(lt(schema.changes.at, Date.now() - CHANGES_KEPT_MS)))
      .catch((err) => logger.warn('pruning artifact changes failed', errorFields(err)))
  }, 3600_000)
  pruner.unref()

  return {
    subscribe(workspaceId, listener) {
      let set = listeners.get(workspaceId)
      if (!set) {
        set = new Set()
        listeners.set(workspaceId, set)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(workspaceId)
      }
    },
    close() {
      clearInterval(pruner)
      sub.unsubscribe()
      listeners.clear()
    },
  }
}
