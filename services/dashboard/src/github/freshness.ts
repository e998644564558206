import type { CacheInvalidation } from '@bosun/contracts/dashboard'

export type Scope = CacheInvalidation['scope']

/** What a cached GitHub response depends on; events for it make it stale. */
export type Tag =
  | { repo: string; scope: Exclude<Scope, 'repo'>; number?: number }
  /** Never changes (a commit by sha). */
  | 'immutable'
  /** Spans repositories (search): stale after any change anywhere. */
  | 'global'

const PULL_SCOPES = ['pulls', 'checks', 'reviews', 'threads'] as const
const MAX_NAMED = 1000
const EMPTY: ReadonlyMap<number, number> = new Map()

/**
 * Generation counters per repository, scope and item. A cached response remembers the stamp it was fetched at;
 * an event bumps a counter, the stamp moves on and the next read revalidates. Stamps are sums of
 * monotonic counters, so any bump changes them.
 */
export function createFreshness() {
  const gens = new Map<string, number>()
  /** Per repository, the pull requests events named (newest last): how one opened since a read is found. */
  const named = new Map<string, Map<number, number>>()
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
      if (inv.sha) bump(`${repo}|${inv.scope}|sha:${inv.sha}`)
      else bump(inv.number === undefined ? `${repo}|${inv.scope}` : `${repo}|${inv.scope}|${inv.number}`)
      if (inv.scope === 'pulls' && inv.number !== undefined) {
        const numbers = named.get(repo) ?? new Map<number, number>()
        named.set(repo, numbers)
        numbers.delete(inv.number)
        numbers.set(inv.number, g(`${repo}|pulls|${inv.number}`))
        if (numbers.size > MAX_NAMED) numbers.delete(numbers.keys().next().value as number)
      }
      total++
    },
    /** Pull requests of `repo` an event named, with their generation: ones the list does not hold yet are new. */
    named(repo: string): ReadonlyMap<number, number> {
      return named.get(repo.toLowerCase()) ?? EMPTY
    },
    /** Moves on with anything that makes every open pull request of `repo` stale. */
    pullsOf(repo: string): number {
      const r = repo.toLowerCase()
      return PULL_SCOPES.reduce((n, s) => n + g(`${r}|${s}`), g(`${r}|repo`))
    },
    /** Moves on with anything that makes one pull request stale: an event naming it or its head commit. */
    pull(repo: string, number: number, headSha: string): number {
      const r = repo.toLowerCase()
      return PULL_SCOPES.reduce((n, s) => n + g(`${r}|${s}|${number}`) + g(`${r}|${s}|sha:${headSha}`), 0)
    },
    /** Moves on with every invalidation anywhere: the key of whole-answer caches. */
    get total() {
      return total
    },
  }
}

export type Freshness = ReturnType<typeof createFreshness>
