/**
 * Whole answers per caller and query, keyed also by a stamp (every invalidation and workspace version moves it)
 * and kept a few seconds: a repeated read skips even the cheap recomputation.
 */
export function createAnswerCache(ttlMs: number, maxEntries = 5_000) {
  const entries = new Map<string, { stamp: string; json: string; at: number }>()
  return {
    async get(key: string, stamp: string, compute: () => Promise<string>): Promise<string> {
      const hit = entries.get(key)
      if (hit && hit.stamp === stamp && Date.now() - hit.at < ttlMs) return hit.json
      const json = await compute()
      if (ttlMs > 0) {
        if (entries.size >= maxEntries) entries.clear()
        entries.set(key, { stamp, json, at: Date.now() })
      }
      return json
    },
  }
}

export type AnswerCache = ReturnType<typeof createAnswerCache>
