/**
 * Gathers the calls made in one turn of the event loop and runs them as one batch (one write job, one commit,
 * one statement); `run` answers each item in order. When a batch of several fails, each item runs again alone,
 * so only the one that fails fails.
 */
export function perTick<T, R>(run: (batch: T[]) => Promise<R[]>): (item: T) => Promise<R> {
  type Pending = { item: T; resolve(value: R): void; reject(err: unknown): void }
  let pending: Pending[] = []

  const alone = (p: Pending) => run([p.item]).then(([value]) => p.resolve(value as R), p.reject)

  const flush = async () => {
    const batch = pending
    pending = []
    try {
      const values = await run(batch.map((p) => p.item))
      for (const [i, p] of batch.entries()) p.resolve(values[i] as R)
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err)
      await Promise.all(batch.map(alone))
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush())
      pending.push({ item, resolve, reject })
    })
}
