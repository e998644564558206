/**
 * Whole answers per caller and query, keyed also by a stamp (every invalidation and workspace version moves it)
 * and kept a few seconds: a repeated read skips even the cheap recomputation.
 */
export function createAnswerCache(ttlMs: number, maxEntries = 5_000) {
  const entries = new Map<string, { stamp: string; json: string; at: number }>()
  // Readers arriving while an answer is computed wait for it (at 750 pull requests a computation is tens of
  // milliseconds; fifty callers each starting their own stalled the warm read for most of a second).
  const inflight = new Map<string, Promise<string>>()
  return {
    get(key: string, stamp: string, compute: () => Promise<string>): Promise<string> {
      const hit = entries.get(key)
      if (hit && hit.stamp === stamp && Date.now() - hit.at < ttlMs) return Promise.resolve(hit.json)
      const id = `${key}\u0001${stamp}`
      const running = inflight.get(id)
      if (running) return running
      const p = compute()
        .then((json) => {
          if (ttlMs > 0) {
            if (entries.size >= maxEntries) entries.clear()
            entries.set(key, { stamp, json, at: Date.now() })
          }
          return json
        })
        .finally(() => inflight.delete(id))
      inflight.set(id, p)
      return p
    },
  }
}

export type AnswerCache = ReturnType<typeof createAnswerCache>
