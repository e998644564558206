import type { EventDef } from '@bosun/contracts/envelope'
import type { LiveChange } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'
import type { Tx } from '@bosun/service-kit/db'
import { notFound } from '@bosun/service-kit/errors'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import type { Static } from '@sinclair/typebox'
import { sql } from 'drizzle-orm'
import type * as schema from '../db/schema'

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
  // Plain statements: every write runs these, and the query builder costs more than the statements.
  const [row] = await tx.all<{ seq: number }>(
    sql`update workspaces set seq = seq + 1 where id = ${workspaceId} returning seq`,
  )
  if (!row) throw notFound('Workspace')
  const full = { ...data, workspaceId, seq: row.seq } as Static<E['data']>
  const envelope = await enqueueEvent(tx, bus, def, full)
  const at = Date.parse(envelope.time)
  await tx.run(
    sql`insert into changes (workspace_id, seq, type, data, at) values (${workspaceId}, ${row.seq}, ${def.type}, ${JSON.stringify(full)}, ${at})`,
  )
  return { workspaceId, seq: row.seq, type: def.type, time: envelope.time, data: full }
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
