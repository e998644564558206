import { unavailable } from '@bosun/service-kit/errors'

export type Admission = {
  /**
   * Runs `work` holding a slot and `bytes` of the body budget, or refuses at once with 503. `undefined` bytes: a
   * body without Content-Length, which may grow to the limit.
   */
  run<T>(bytes: number | undefined, work: () => Promise<T>): Promise<T>
}

/**
 * Bounds the deliveries in progress and the body bytes they may hold. Past either bound a delivery is refused
 * at once with 503 (GitHub shows it as failed, to be redelivered) rather than queued: an unbounded queue only
 * makes every delivery slow, past GitHub's 10 s timeout, and unsigned 25 MB bodies could exhaust memory.
 * Bodies without a Content-Length (GitHub always sends one) have a few slots of their own and stay out of the
 * byte budget, so a handful of slow chunked uploads cannot starve real deliveries of it.
 */
export function createAdmission(limits: { deliveries: number; bytes: number; unsized: number }): Admission {
  let inFlight = 0
  let held = 0
  let unsized = 0
  return {
    async run(bytes, work) {
      const sized = bytes !== undefined
      if (inFlight >= limits.deliveries || (sized ? held + bytes > limits.bytes : unsized >= limits.unsized))
        throw unavailable('Too many deliveries in progress; redeliver this one shortly')
      inFlight++
      if (sized) held += bytes
      else unsized++
      try {
        return await work()
      } finally {
        inFlight--
        if (sized) held -= bytes
        else unsized--
      }
    },
  }
}
