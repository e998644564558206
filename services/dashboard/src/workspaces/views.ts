import type { AuthorRecord, Snapshot } from '@bosun/contracts/workspace'
import { type LiveChange, LiveChanges, snapshotRpc } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'
import { AppError, unavailable } from '@bosun/service-kit/errors'

/** A workspace as the dashboard needs it; `version` changes whenever it is reloaded. */
export type WorkspaceView = {
  id: string
  snapshot: Snapshot
  members: ReadonlySet<string>
  authors: ReadonlyMap<string, AuthorRecord>
  version: number
}

/**
 * Workspace snapshots over NATS, kept in memory and dropped on every live change of that workspace
 * (`bosun.rt.workspace.<id>`, which every instance hears), so a policy or author-record change is seen on the
 * next read. The TTL bounds staleness should a live message be lost.
 */
export function createWorkspaceViews(
  bus: Pick<Bus, 'request' | 'onLive' | 'subjects'>,
  opts: { ttlMs: number; onChange?: (change: LiveChange) => void },
) {
  const entries = new Map<string, { view: WorkspaceView; at: number }>()
  const generation = new Map<string, number>()
  const inflight = new Map<string, Promise<WorkspaceView>>()
  let versions = 0

  const invalidate = (id: string) => {
    generation.set(id, (generation.get(id) ?? 0) + 1)
    entries.delete(id)
    inflight.delete(id)
  }

  const sub = bus.onLive(bus.subjects.rt('workspace', '*'), LiveChanges, (changes) => {
    for (const change of changes) {
      invalidate(change.workspaceId)
      opts.onChange?.(change)
    }
  })

  const load = (id: string) => {
    const gen = generation.get(id) ?? 0
    const p = bus
      .request(snapshotRpc, { workspaceId: id })
      .catch((err) => {
        if (err instanceof AppError && err.code === 'not_found') throw err
        throw unavailable('Cannot reach the workspace service')
      })
      .then((snapshot) => {
        const view: WorkspaceView = {
          id,
          snapshot,
          members: new Set(snapshot.members.map((m) => m.login.toLowerCase())),
          authors: new Map(snapshot.authorRecords.map((r) => [r.login.toLowerCase(), r])),
          version: ++versions,
        }
        if ((generation.get(id) ?? 0) === gen) entries.set(id, { view, at: Date.now() })
        return view
      })
      .finally(() => inflight.delete(id))
    inflight.set(id, p)
    return p
  }

  return {
    get(id: string): Promise<WorkspaceView> {
      const hit = entries.get(id)
      if (hit && Date.now() - hit.at < opts.ttlMs) return Promise.resolve(hit.view)
      return inflight.get(id) ?? load(id)
    },
    invalidate,
    close: () => sub.unsubscribe(),
  }
}

export type WorkspaceViews = ReturnType<typeof createWorkspaceViews>
