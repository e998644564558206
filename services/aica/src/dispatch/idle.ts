import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { move } from '../threads/actions'

/**
 * Idle threads no runner holds (a runner evicted them to free a slot) have no runner to complete them when
 * their idle time is up: aica does, as the runner would have (`completed`, no changes). A held thread is its
 * runner's to complete.
 */
export async function completeUnheldIdle(deps: AicaDeps) {
  const idle = await deps.database.db
    .select({
      id: schema.threads.id,
      worktreeId: schema.threads.worktreeId,
      times: schema.threads.statusTimes,
    })
    .from(schema.threads)
    .where(eq(schema.threads.status, 'idle'))
  for (const t of idle) {
    const since = Date.parse((JSON.parse(t.times) as Record<string, string>).idle ?? '')
    if (!(Date.now() - since >= deps.env.BOSUN_AICA_IDLE_MS)) continue
    if (await deps.relays.held(t.worktreeId, t.id)) continue
    await move(deps, t.id, 'completed', undefined, { result: 'no_changes' })
  }
}
