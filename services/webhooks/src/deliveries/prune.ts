import { errorFields, type Logger } from '@bosun/service-kit/log'
import { sql } from 'drizzle-orm'
import type { Db } from '../deps'

const DAY_MS = 24 * 3600 * 1000
const CHUNK = 1000

/**
 * Deletes deliveries received before `cutoff`, a chunk per transaction so ingress writes are not held up, and the
 * outcomes reported before it.
 */
export async function pruneDeliveries(database: Db, cutoff: number): Promise<number> {
  let total = 0
  for (;;) {
    const res = await database.write((tx) =>
      tx.run(
        sql`delete from deliveries where seq in (select seq from deliveries where received_at < ${cutoff} limit ${CHUNK})`,
      ),
    )
    total += res.rowsAffected
    if (res.rowsAffected < CHUNK) break
  }
  await database.write((tx) => tx.run(sql`delete from delivery_outcomes where at < ${cutoff}`))
  return total
}

/** Keeps the delivery log (and so the dedupe memory) for `days`, pruning at start and every ten minutes. */
export function startDeliveryPruner(database: Db, days: number, logger: Logger) {
  const prune = () =>
    pruneDeliveries(database, Date.now() - days * DAY_MS).catch((err) =>
      logger.warn('delivery prune failed', errorFields(err)),
    )
  void prune()
  return setInterval(prune, 10 * 60 * 1000)
}
