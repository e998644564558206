import { AppError } from '@bosun/service-kit/errors'
import type { Budget } from './budget'
import type { GitHubClient } from './client'
import type { Freshness } from './freshness'
import type { Reader } from './readers'
import { loadPull, loadPulls, mapLimit, type PullDetail } from './repo-data'

type Entry = {
  pulls: Map<number, PullDetail>
  fetchedAt: number
  /** Freshness of the repository's pull requests as a whole, and of each one, when it was read. */
  repoGen: number
  pullGen: Map<number, number>
  /** Pull requests events named that were not open when read, with the generation then: not asked again. */
  absent: Map<number, number>
  /** GraphQL points the last full read cost: the estimate for the next. */
  cost: number
}

export type Pulls = {
  pulls: PullDetail[]
  /** Set when the answer is older than it should be because refreshing would spend the caller's reserve. */
  stale?: { asOf: string; ageSeconds: number; resetAt: string }
}

/** Past this many pull requests to refresh one by one, reading the whole list again is cheaper. */
const MAX_SINGLE_REFRESHES = 10

/**
 * Open pull requests per identity and repository, read with GraphQL and kept until an event or the max age
 * makes them stale. An event about one pull request (or its head commit) refreshes only that one; a
 * refresh the rate-limit budget cannot afford is skipped and the kept answer is served, marked stale.
 */
export function createPullStore(opts: {
  gh: GitHubClient
  freshness: Freshness
  budget: Budget
  maxAgeMs: number
  maxEntries: number
}) {
  const { gh, freshness, budget } = opts
  const entries = new Map<string, Entry>()
  const inflight = new Map<string, Promise<Pulls>>()

  const pullGen = (repo: string, p: PullDetail) => freshness.pull(repo, p.pull.number, p.pull.head.sha)

  const full = async (reader: Reader, repo: string, previous: Entry | undefined): Promise<Entry> => {
    const repoGen = freshness.pullsOf(repo)
    // Taken before the call, so an event that lands while it runs leaves that pull request stale.
    const before = new Map(
      [...(previous?.pulls.values() ?? [])].map((p) => [
        p.pull.number,
        { sha: p.pull.head.sha, gen: pullGen(repo, p) },
      ]),
    )
    const named = new Map(freshness.named(repo))
    const remainingBefore = budget.observed(reader.key).graphql?.remaining
    const pulls = await loadPulls(gh, reader, repo)
    const remainingAfter = budget.observed(reader.key).graphql?.remaining
    const map = new Map<number, PullDetail>()
    const gens = new Map<number, number>()
    for (const p of pulls) {
      const known = before.get(p.pull.number)
      map.set(p.pull.number, p)
      gens.set(p.pull.number, known?.sha === p.pull.head.sha ? known.gen : pullGen(repo, p))
    }
    const spent =
      remainingBefore !== undefined && remainingAfter !== undefined ? remainingBefore - remainingAfter : 0
    const absent = new Map([...named].filter(([n]) => !map.has(n)))
    return { pulls: map, fetchedAt: Date.now(), repoGen, pullGen: gens, absent, cost: spent > 0 ? spent : 1 }
  }

  const refreshSome = async (
    reader: Reader,
    repo: string,
    entry: Entry,
    numbers: number[],
  ): Promise<Entry> => {
    const pulls = new Map(entry.pulls)
    const gens = new Map(entry.pullGen)
    const absent = new Map(entry.absent)
    await mapLimit(numbers, 4, async (n) => {
      const old = pulls.get(n)
      // Taken before the call, so an event that lands while it runs leaves the pull request stale.
      const gen = old ? pullGen(repo, old) : 0
      const namedGen = freshness.named(repo).get(n) ?? 0
      const fresh = await loadPull(gh, reader, repo, n)
      if (!fresh) {
        pulls.delete(n)
        gens.delete(n)
        absent.set(n, namedGen)
        return
      }
      pulls.set(n, fresh)
      absent.delete(n)
      gens.set(n, old?.pull.head.sha === fresh.pull.head.sha ? gen : pullGen(repo, fresh))
    })
    return { ...entry, pulls, pullGen: gens, absent }
  }

  const keep = (key: string, entry: Entry) => {
    entries.delete(key)
    entries.set(key, entry)
    if (entries.size > opts.maxEntries) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
  }

  const staleAnswer = (reader: Reader, entry: Entry): Pulls => {
    const resetAt = budget.resetAt(reader.key, 'graphql') ?? Date.now()
    return {
      pulls: [...entry.pulls.values()],
      stale: {
        asOf: new Date(entry.fetchedAt).toISOString(),
        ageSeconds: Math.floor((Date.now() - entry.fetchedAt) / 1000),
        resetAt: new Date(resetAt).toISOString(),
      },
    }
  }

  const refusal = (reader: Reader) => {
    const resetAt = new Date(budget.resetAt(reader.key, 'graphql') ?? Date.now() + 60_000).toISOString()
    return new AppError('rate_limited', `GitHub GraphQL rate limit nearly spent; it resets at ${resetAt}`, {
      resetAt,
    })
  }

  const read = async (reader: Reader, repo: string, key: string): Promise<Pulls> => {
    const entry = entries.get(key)
    const changed = !entry || entry.repoGen !== freshness.pullsOf(repo)
    const age = entry ? Date.now() - entry.fetchedAt : Number.POSITIVE_INFINITY
    if (changed || age >= opts.maxAgeMs) {
      // Past its max age but within the spacing the points left call for: kept, and said to be older.
      const paced = !changed && entry && age < budget.maxAge(reader.key, 'graphql', entry.cost, opts.maxAgeMs)
      if (entry && (paced || !budget.allows(reader.key, 'graphql', entry.cost)))
        return staleAnswer(reader, entry)
      if (!entry && !budget.allows(reader.key, 'graphql', 1)) throw refusal(reader)
      const fresh = await full(reader, repo, entry)
      keep(key, fresh)
      return { pulls: [...fresh.pulls.values()] }
    }
    const opened = [...freshness.named(repo)]
      .filter(([n, gen]) => !entry.pulls.has(n) && entry.absent.get(n) !== gen)
      .map(([n]) => n)
    const dirty = [...entry.pulls.values()]
      .filter((p) => entry.pullGen.get(p.pull.number) !== pullGen(repo, p))
      .map((p) => p.pull.number)
      .concat(opened)
    if (!dirty.length) return { pulls: [...entry.pulls.values()] }
    if (!budget.allows(reader.key, 'graphql', dirty.length)) return staleAnswer(reader, entry)
    const next =
      dirty.length > MAX_SINGLE_REFRESHES
        ? await full(reader, repo, entry)
        : await refreshSome(reader, repo, entry, dirty)
    keep(key, next)
    return { pulls: [...next.pulls.values()] }
  }

  return {
    /** The open pull requests of `repo` as `reader` sees them; identical concurrent reads share one load. */
    get(reader: Reader, repo: string): Promise<Pulls> {
      const key = `${reader.key}|${repo.toLowerCase()}`
      const running = inflight.get(key)
      if (running) return running
      const p = read(reader, repo, key).finally(() => inflight.delete(key))
      inflight.set(key, p)
      return p
    },
  }
}

export type PullStore = ReturnType<typeof createPullStore>
