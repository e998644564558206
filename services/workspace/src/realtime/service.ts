import type { LiveChange, RealtimeMessage } from '@bosun/contracts/workspace'
import { and, asc, eq, gt, lte, min } from 'drizzle-orm'
import { changes } from '../db/schema'
import type { Db, WorkspaceDeps } from '../deps'
import { currentSeq, snapshot } from '../workspaces/service'

export type RealtimeSession = { close(): void; heartbeat(): void }

async function changesBetween(database: Db, workspaceId: string, after: number, upTo: number) {
  return database.db
    .select()
    .from(changes)
    .where(and(eq(changes.workspaceId, workspaceId), gt(changes.seq, after), lte(changes.seq, upTo)))
    .orderBy(asc(changes.seq))
}

const toMessage = (row: { seq: number; type: string; data: string; at: number }): RealtimeMessage => ({
  type: 'event',
  seq: row.seq,
  event: { type: row.type, time: new Date(row.at).toISOString(), data: JSON.parse(row.data) },
})

/**
 * One socket's stream: a snapshot (or a replay after `since`), then every change with strictly increasing seq.
 * Live changes are subscribed to before the first read, queued behind it, de-duplicated by seq, and any gap
 * (a live message lost between instances) is filled from the change table; heartbeats also check for gaps.
 */
export function openRealtime(
  deps: WorkspaceDeps,
  workspaceId: string,
  since: number | undefined,
  send: (msg: RealtimeMessage) => void,
): RealtimeSession {
  const { database } = deps
  let last = -1
  let closed = false
  let chain: Promise<void> = Promise.resolve()
  const enqueue = (step: () => Promise<void>) => {
    chain = chain
      .then(() => (closed ? undefined : step()))
      .catch((err) => {
        deps.logger.warn('realtime step failed', { workspaceId, err: String(err) })
      })
  }

  const sendSnapshot = async () => {
    const snap = await snapshot(database, workspaceId)
    send({ type: 'snapshot', seq: snap.seq, snapshot: snap })
    last = snap.seq
  }

  const catchUp = async (upTo: number) => {
    if (upTo <= last) return
    const rows = await changesBetween(database, workspaceId, last, upTo)
    if (rows[0] && rows[0].seq !== last + 1) return sendSnapshot()
    for (const row of rows) {
      send(toMessage(row))
      last = row.seq
    }
  }

  const onLive = async (change: LiveChange) => {
    if (change.seq <= last) return
    if (change.seq > last + 1) await catchUp(change.seq - 1)
    if (change.seq !== last + 1) return
    send({
      type: 'event',
      seq: change.seq,
      event: { type: change.type, time: change.time, data: change.data },
    })
    last = change.seq
  }

  const unsubscribe = deps.hub.subscribe(workspaceId, (c) => enqueue(() => onLive(c)))

  enqueue(async () => {
    const seq = (await currentSeq(database, workspaceId)) ?? 0
    if (since === undefined || since > seq) return sendSnapshot()
    const [oldest] = await database.db
      .select({ seq: min(changes.seq) })
      .from(changes)
      .where(eq(changes.workspaceId, workspaceId))
    const retained =
      since === seq || (oldest?.seq !== null && oldest?.seq !== undefined && oldest.seq <= since + 1)
    if (!retained) return sendSnapshot()
    last = since
    await catchUp(seq)
  })

  return {
    close() {
      closed = true
      unsubscribe()
    },
    heartbeat() {
      enqueue(async () => {
        const seq = await currentSeq(database, workspaceId)
        if (seq !== undefined && seq > last) await catchUp(seq)
      })
    },
  }
}
