import type { ThreadRealtimeMessage } from '@bosun/contracts/aica'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { itemsBetween } from '../threads/items'
import { toItem } from '../threads/model'
import { threadView } from '../threads/queries'

export type ThreadStream = { close(): void; heartbeat(): void }

/**
 * One socket's stream: the thread, then every item after `since` in seq order, each once. Live
 * notices only say "items up to seq N exist"; the items themselves are always read from the database,
 * so a notice lost between instances or a restart in between leaves no gap (heartbeats re-check).
 */
export function openThreadStream(
  deps: AicaDeps,
  threadId: string,
  since: number | undefined,
  send: (msg: ThreadRealtimeMessage) => void,
  access: { visible(): Promise<boolean>; revoked(): void },
): ThreadStream {
  let last = since ?? 0
  let closed = false
  let chain: Promise<void> = Promise.resolve()
  // Access was checked at the upgrade; every step checks again, so a worktree made personal or a
  // removed member stops receiving at once.
  const enqueue = (step: () => Promise<void>) => {
    chain = chain
      .then(async () => {
        if (closed) return
        if (!(await access.visible())) {
          closed = true
          unsubscribe()
          access.revoked()
          return
        }
        await step()
      })
      .catch((err) => deps.logger.warn('realtime step failed', { threadId, err: String(err) }))
  }
  const catchUp = async (upTo?: number) => {
    for (;;) {
      const rows = await itemsBetween(deps.database, threadId, last, upTo, 500)
      for (const row of rows) {
        if (closed || row.seq !== last + 1) return
        send({ type: 'item', item: toItem(row) })
        last = row.seq
      }
      if (rows.length < 500) return
    }
  }
  const unsubscribe = deps.hub.subscribe(threadId, (event) => {
    if (event.type === 'delta') {
      if (!closed) send({ type: 'delta', key: event.key, text: event.text })
      return
    }
    if (event.type === 'thread') {
      enqueue(async () => send({ type: 'thread', thread: (await threadView(deps, threadId)).thread }))
      return
    }
    if (event.seq > last) enqueue(() => catchUp(event.seq))
  })
  enqueue(async () => {
    send({ type: 'thread', thread: (await threadView(deps, threadId)).thread })
    await catchUp()
  })
  return {
    close() {
      closed = true
      unsubscribe()
    },
    heartbeat() {
      enqueue(async () => {
        const [row] = await deps.database.db
          .select({ lastSeq: schema.threads.lastSeq })
          .from(schema.threads)
          .where(eq(schema.threads.id, threadId))
        if (row && row.lastSeq > last) await catchUp(row.lastSeq)
      })
    },
  }
}
