import { unavailable } from '@bosun/service-kit/errors'

export type Admission = {
  /** Runs `work` holding a slot and `bytes` of the body budget, or refuses at once with 503. */
  run<T>(bytes: number, work: () => Promise<T>): Promise<T>
}

/**
 * Bounds the deliveries in progress and the body bytes they may hold. Past either bound a delivery is refused
 * at once with 503 (GitHub shows it as failed, to be redelivered) rather than queued: an unbounded queue only
 * makes every delivery slow, past GitHub's 10 s timeout, and unsigned 25 MB bodies could exhaust memory.
 */
export function createAdmission(limits: { deliveries: number; bytes: number }): Admission {
  let inFlight = 0
  let held = 0
  return {
    async run(bytes, work) {
      if (inFlight >= limits.deliveries || held + bytes > limits.bytes)
        throw unavailable('Too many deliveries in progress; redeliver this one shortly')
      inFlight++
      held += bytes
      try {
        return await work()
      } finally {
        inFlight--
        held -= bytes
      }
    },
  }
}
