import { unavailable } from '@bosun/service-kit/errors'

/** What admitted work is handed: when the slot is taken back, and how to say the body has arrived. */
export type Admitted = {
  /** Aborted when a delivery that needs the slot takes it from this one while its body is still arriving. */
  signal: AbortSignal
  /** The body is in: from now on the delivery is real work and keeps its slot. */
  received(): void
}

export type Admission = {
  /**
   * Runs `work` holding a slot and `bytes` of the body budget, or refuses at once with 503. `undefined` bytes: a
   * body without Content-Length, which may grow to the limit.
   */
  run<T>(bytes: number | undefined, work: (admitted: Admitted) => Promise<T>): Promise<T>
  /** Deliveries admitted whose body is still arriving. */
  reading(): number
}

type Held = { bytes: number | undefined; since: number; released: boolean; abort: AbortController }

/**
 * Bounds the deliveries in progress and the body bytes they may hold. Past either bound a delivery is refused
 * at once with 503 (GitHub shows it as failed, to be redelivered) rather than queued: an unbounded queue only
 * makes every delivery slow, past GitHub's 10 s timeout, and unsigned 25 MB bodies could exhaust memory.
 * Bodies without a Content-Length (GitHub always sends one) have a few slots of their own and stay out of the
 * byte budget. Who holds the secret is known only once the body is in, so a sender still sending its body
 * `slowMs` after admission gives its slot (and bytes) up to a delivery that needs them: GitHub sends a body at
 * once, so slow unsigned senders cannot starve signed deliveries by holding slots.
 */
export function createAdmission(limits: {
  deliveries: number
  bytes: number
  unsized: number
  slowMs: number
}): Admission {
  let inFlight = 0
  let held = 0
  let unsized = 0
  const readingNow = new Set<Held>()

  const fits = (bytes: number | undefined) =>
    inFlight < limits.deliveries &&
    (bytes !== undefined ? held + bytes <= limits.bytes : unsized < limits.unsized)

  const release = (h: Held) => {
    if (h.released) return
    h.released = true
    readingNow.delete(h)
    inFlight--
    if (h.bytes !== undefined) held -= h.bytes
    else unsized--
  }

  /** Takes the slot of the longest-waiting slow body that frees what `bytes` needs; false when none would. */
  const evictFor = (bytes: number | undefined): boolean => {
    const now = performance.now()
    for (const h of readingNow) {
      if (now - h.since < limits.slowMs) break
      // An unsized newcomer needs an unsized slot (or any slot when all are taken); a sized one needs bytes or a slot.
      const frees =
        inFlight >= limits.deliveries || (bytes === undefined ? h.bytes === undefined : h.bytes !== undefined)
      if (!frees) continue
      release(h)
      h.abort.abort()
      return true
    }
    return false
  }

  return {
    reading: () => readingNow.size,
    async run(bytes, work) {
      while (!fits(bytes))
        if (!evictFor(bytes)) throw unavailable('Too many deliveries in progress; redeliver this one shortly')
      inFlight++
      if (bytes !== undefined) held += bytes
      else unsized++
      const h: Held = { bytes, since: performance.now(), released: false, abort: new AbortController() }
      // Insertion order is admission order, so the first slow one found is the one that waited longest.
      readingNow.add(h)
      try {
        return await work({
          signal: h.abort.signal,
          received: () => {
            readingNow.delete(h)
          },
        })
      } finally {
        release(h)
      }
    },
  }
}
