import type { CacheInvalidation } from '@bosun/contracts/dashboard'

export type Scope = CacheInvalidation['scope']

/** What a cached GitHub response depends on; events for it make it stale. */
export type Tag =
  | { repo: string; scope: Exclude<Scope, 'repo'>; number?: number }
  /** Never changes (a commit by sha). */
  | 'immutable'
  /** Spans repositories (search): stale after any change anywhere. */
  | 'global'

/**
 * Generation counters per repository, scope and item. A cached response remembers the stamp it was fetched at;
 * an event bumps a counter, the stamp moves on and the next read revalidates. Stamps are sums of
 * monotonic counters, so any bump changes them.
 */
export function createFreshness() {
  const gens = new Map<string, number>()
  let total = 0
  const g = (key: string) => gens.get(key) ?? 0
  const bump = (key: string) => gens.set(key, g(key) + 1)

  return {
    stamp(tag: Tag): number {
      if (tag === 'immutable') return 0
      if (tag === 'global') return total
      const repo = tag.repo.toLowerCase()
      const item = tag.number === undefined ? 0 : g(`${repo}|${tag.scope}|${tag.number}`)
      return g(`${repo}|repo`) + g(`${repo}|${tag.scope}`) + item
    },
    invalidate(inv: CacheInvalidation) {
      const repo = inv.repo.toLowerCase()
      bump(inv.number === undefined ? `${repo}|${inv.scope}` : `${repo}|${inv.scope}|${inv.number}`)
      total++
    },
    /** Moves on with every invalidation anywhere: the key of whole-answer caches. */
    get total() {
      return total
    },
  }
}

export type Freshness = ReturnType<typeof createFreshness>
