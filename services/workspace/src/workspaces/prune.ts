import { sql } from 'drizzle-orm'
import type { Db } from '../deps'

/** Keeps the newest `retain` change rows per workspace; a client resuming from before that gets a snapshot. */
export function startChangePruner(database: Db, retain: number) {
  const prune = () =>
    database
      .write((tx) =>
        tx.run(
          sql`delete from changes where seq <= (select w.seq - ${retain} from workspaces w where w.id = changes.workspace_id)`,
        ),
      )
      .catch(() => {})
  void prune()
  return setInterval(prune, 10 * 60 * 1000)
}
