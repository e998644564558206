import type { Snapshot } from '@bosun/contracts/workspace'

/** `body` is the JSON once encoded: a Response made from a Blob shares its bytes and takes its content type. */
type Entry = { snapshot: Snapshot; body: Blob; memberKeys: Set<string>; at: number }

/**
 * Snapshots served from memory. Every instance hears every change on `bosun.rt.workspace.<id>` and drops the
 * entry, so reads follow writes; the TTL bounds staleness if a live message is ever lost between instances.
 * A load started before an invalidation is not stored (the generation check), so no stale entry survives a race.
 */
export function createSnapshotCache(load: (id: string) => Promise<Snapshot>, ttlMs = 1000) {
  const entries = new Map<string, Entry>()
  const generation = new Map<string, number>()
  const inflight = new Map<string, Promise<Entry>>()

  const fetchEntry = (id: string): Promise<Entry> => {
    const running = inflight.get(id)
    if (running) return running
    const gen = generation.get(id) ?? 0
    const p = load(id)
      .then((snapshot) => {
        const entry = {
          snapshot,
          body: new Blob([JSON.stringify(snapshot)], { type: 'application/json' }),
          memberKeys: new Set(snapshot.members.map((m) => m.login.toLowerCase())),
          at: Date.now(),
        }
        if ((generation.get(id) ?? 0) === gen) entries.set(id, entry)
        return entry
      })
      .finally(() => inflight.delete(id))
    inflight.set(id, p)
    return p
  }

  return {
    async get(id: string): Promise<Entry> {
      const hit = entries.get(id)
      if (hit && Date.now() - hit.at < ttlMs) return hit
      return fetchEntry(id)
    },
    /** A fresh entry if one is in memory; never loads. */
    peek(id: string): Entry | undefined {
      const hit = entries.get(id)
      return hit && Date.now() - hit.at < ttlMs ? hit : undefined
    },
    invalidate(id: string) {
      generation.set(id, (generation.get(id) ?? 0) + 1)
      entries.delete(id)
      inflight.delete(id)
    },
  }
}

export type SnapshotCache = ReturnType<typeof createSnapshotCache>
