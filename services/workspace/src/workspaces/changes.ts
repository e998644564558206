import type { EventDef } from '@bosun/contracts/envelope'
import type { LiveChange } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'
import { insertAtCommit, type Tx } from '@bosun/service-kit/db'
import { notFound } from '@bosun/service-kit/errors'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import type { Static } from '@sinclair/typebox'
import { eq, sql } from 'drizzle-orm'
import type * as schema from '../db/schema'
import { changes, workspaces } from '../db/schema'

export type WsTx = Tx<typeof schema>

/**
 * Every change goes through here, inside the transaction that makes it: the workspace's sequence number
 * is bumped, the change row (for resume) and the outbox event (for BOSUN_EVENTS) commit with the state.
 */
export async function recordChange<E extends EventDef>(
  tx: WsTx,
  bus: Pick<Bus, 'subjects' | 'source'>,
  workspaceId: string,
  def: E,
  data: Omit<Static<E['data']>, 'seq' | 'workspaceId'>,
): Promise<LiveChange> {
  const seq = await nextSeq(tx, workspaceId)
  const full = { ...data, workspaceId, seq } as Static<E['data']>
  const envelope = await enqueueEvent(tx, bus, def, full)
  await insertAtCommit(tx, changes, {
    workspaceId,
    seq,
    type: def.type,
    data: JSON.stringify(full),
    at: Date.parse(envelope.time),
  })
  return { workspaceId, seq, type: def.type, time: envelope.time, data: full }
}

/** The workspace's next sequence number, bumped in the change's transaction; 404 when the workspace is missing. */
async function nextSeq(tx: WsTx, workspaceId: string): Promise<number> {
  const [row] = await tx
    .update(workspaces)
    .set({ seq: sql`${workspaces.seq} + 1` })
    .where(eq(workspaces.id, workspaceId))
    .returning({ seq: workspaces.seq })
  if (!row) throw notFound('Workspace')
  return row.seq
}

/** Runs a change in one transaction, then fans its live changes out to every instance's sockets. */
export async function commitChange<T>(
  deps: {
    database: { write<R>(fn: (tx: WsTx) => Promise<R>): Promise<R> }
    hub: { publish(c: LiveChange): void }
    cache: { invalidate(id: string): void }
  },
  fn: (tx: WsTx) => Promise<{ result: T; live: LiveChange[] }>,
): Promise<T> {
  const { result, live } = await deps.database.write(fn)
  for (const change of live) {
    deps.cache.invalidate(change.workspaceId)
    deps.hub.publish(change)
  }
  return result
}
