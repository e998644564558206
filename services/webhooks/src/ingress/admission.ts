import { unavailable } from '@bosun/service-kit/errors'

export type Admission = { run<T>(work: () => Promise<T>): Promise<T> }

/**
 * Bounds the deliveries in progress. Past the bound a delivery is refused at once with 503 (GitHub shows it as
 * failed, to be redelivered) rather than queued: an unbounded queue only makes every delivery slow, past
 * GitHub's 10 s timeout, while holding its body in memory.
 */
export function createAdmission(limit: number): Admission {
  let inFlight = 0
  return {
    async run(work) {
      if (inFlight >= limit)
        throw unavailable(`Over ${limit} deliveries in progress; redeliver this one shortly`)
      inFlight++
      try {
        return await work()
      } finally {
        inFlight--
      }
    },
  }
}
