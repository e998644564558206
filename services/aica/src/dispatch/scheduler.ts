import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import { egressHostsIn } from '../admin/egress'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { mintRelayToken } from '../relay/tokens'
import { policyOf } from '../threads/model'
import { ACTIVE, moveStatus } from '../threads/status'
import { enqueueWork } from './queue'

const rank = sql`case ${schema.threads.priority} when 'high' then 0 when 'normal' then 1 else 2 end`

/**
 * The per-workspace concurrency registry: threads in `starting`, `running` or `idle` hold a slot.
 * Fills free slots with queued threads (priority, then age): each gets a fresh relay token and a work
 * message, committed together. Safe to call any time from any instance.
 */
export async function pump(deps: AicaDeps, workspaceId: string) {
  const started = await deps.database.write(async (tx) => {
    const [active] = await tx
      .select({ n: count() })
      .from(schema.threads)
      .where(and(eq(schema.threads.workspaceId, workspaceId), inArray(schema.threads.status, [...ACTIVE])))
    const free = deps.env.BOSUN_AICA_CONCURRENCY - (active?.n ?? 0)
    if (free <= 0) return []
    const queued = await tx
      .select()
      .from(schema.threads)
      .where(and(eq(schema.threads.workspaceId, workspaceId), eq(schema.threads.status, 'queued')))
      .orderBy(rank, asc(schema.threads.createdAt))
      .limit(free)
    const out: Array<{ threadId: string; seq: number }> = []
    const egressAllow = queued.length ? await egressHostsIn(tx, workspaceId) : []
    for (const thread of queued) {
      const [wt] = await tx.select().from(schema.worktrees).where(eq(schema.worktrees.id, thread.worktreeId))
      if (!wt) continue
      const relay = await mintRelayToken(tx, wt.id, deps.env.BOSUN_AICA_RELAY_TOKEN_TTL_S)
      const seq = await moveStatus(deps.bus, tx, thread, 'starting')
      if (seq === undefined) continue
      await enqueueWork(
        tx,
        deps.bus,
        {
          threadId: thread.id,
          worktreeId: wt.id,
          workspaceId,
          repo: wt.repo,
          ref: wt.ref,
          prompt: thread.nextPrompt ?? thread.prompt,
          agent: thread.agent,
          model: thread.model,
          provider: thread.provider,
          priority: thread.priority,
          bundleDigest: thread.bundleDigest,
          relayPath: `/api/agent-sessions/${thread.id}/relay`,
          relayToken: relay.token,
          relayTokenExpiresAt: relay.expiresAt,
          hasExtraEnv: thread.hasExtraEnv,
          usesSharedCreds: thread.usesSharedCreds,
          userId: thread.userId,
          ...(wt.restoredFrom ? { restoreFrom: wt.restoredFrom } : {}),
          ...(thread.forkOfThread && thread.forkAtSeq !== null
            ? { forkOf: { threadId: thread.forkOfThread, atSeq: thread.forkAtSeq } }
            : {}),
          permissions: policyOf(thread),
          ...(egressAllow.length ? { egressAllow } : {}),
          dispatchedAt: new Date().toISOString(),
        },
        thread.attempt,
      )
      out.push({ threadId: thread.id, seq })
    }
    return out
  })
  for (const s of started) deps.hub.publishItem(s.threadId, s.seq)
}

/** Workspaces with queued threads; the periodic sweep pumps each (a slot freed on another instance). */
export async function workspacesWithQueued(deps: AicaDeps) {
  const rows = await deps.database.db
    .selectDistinct({ id: schema.threads.workspaceId })
    .from(schema.threads)
    .where(eq(schema.threads.status, 'queued'))
  return rows.map((r) => r.id)
}
