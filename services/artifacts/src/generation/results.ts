import { threadStatusChanged } from '@bosun/contracts/aica'
import { ARTIFACT_MAX_CHARS, artifactEvents } from '@bosun/contracts/artifacts'
import type { Envelope, EventData } from '@bosun/contracts/envelope'
import { consumeEvents } from '@bosun/service-kit/consumer'
import { and, eq, gt, isNull } from 'drizzle-orm'
import { type ArtTx, addVersion, announce } from '../artifacts/store'
import * as schema from '../db/schema'
import type { ArtifactsDeps } from '../deps'
import { AUTO_USER, failGeneration, pumpAfterCommit } from './service'

/** Statuses after which a thread writes nothing more for its generation. */
const FINAL = new Set(['idle', 'completed', 'awaiting_review', 'failed', 'stopped', 'archived', 'declined'])
const RECENT_DISPATCH_MS = 2 * 60_000

type StatusEvent = Envelope<EventData<typeof threadStatusChanged>>

/**
 * A generation ends with its thread: the agent's final answer (on `idle` or `completed`) becomes the next
 * version, authored by the agent with the thread id; a failed or stopped thread fails the generation.
 */
export function consumeThreadResults(deps: ArtifactsDeps) {
  const handler = async (tx: ArtTx, event: StatusEvent) => {
    const { threadId, status, answer, error } = event.data
    if (!FINAL.has(status)) return
    const [gen] = await tx.select().from(schema.generations).where(eq(schema.generations.threadId, threadId))
    if (!gen) {
      // The thread may end before its dispatch is recorded here: then this event comes back in a second.
      if (event.data.userId === AUTO_USER && (await dispatchInFlight(tx)))
        throw new Error('a generation is still recording its thread')
      return
    }
    if (gen.status !== 'running') return
    const fail = (reason: string) => failGeneration(tx, deps, gen.id, reason)
    let pending = false
    if (status === 'idle' || status === 'completed' || status === 'awaiting_review') {
      if (!answer) pending = (await fail('The agent finished without an answer'))?.autoPending ?? false
      else if (answer.length > ARTIFACT_MAX_CHARS)
        pending =
          (await fail(`The answer is longer than ${ARTIFACT_MAX_CHARS} characters`))?.autoPending ?? false
      else pending = await complete(tx, deps, gen, answer)
    } else {
      const why = error?.message ?? `The thread ${status === 'failed' ? 'failed' : `was ${status}`}`
      pending = (await fail(why))?.autoPending ?? false
    }
    if (pending) pumpAfterCommit(deps)
  }
  return consumeEvents({
    bus: deps.bus,
    database: deps.database,
    logger: deps.logger,
    durable: 'artifacts-thread-results',
    def: threadStatusChanged,
    deliverNew: true,
    handler,
  })
}

async function dispatchInFlight(tx: ArtTx) {
  const [row] = await tx
    .select({ id: schema.generations.id })
    .from(schema.generations)
    .where(
      and(
        eq(schema.generations.status, 'running'),
        isNull(schema.generations.threadId),
        gt(schema.generations.startedAt, Date.now() - RECENT_DISPATCH_MS),
      ),
    )
    .limit(1)
  return row !== undefined
}

async function complete(
  tx: ArtTx,
  deps: ArtifactsDeps,
  gen: typeof schema.generations.$inferSelect,
  answer: string,
): Promise<boolean> {
  await tx
    .update(schema.generations)
    .set({ status: 'succeeded', endedAt: Date.now() })
    .where(eq(schema.generations.id, gen.id))
  const [row] = await tx.select().from(schema.artifacts).where(eq(schema.artifacts.id, gen.artifactId))
  if (!row) return false
  const author = {
    kind: 'agent' as const,
    name: gen.agent,
    threadId: gen.threadId,
    requestedBy: gen.requestedBy,
  }
  const next = await addVersion(tx, row, answer, author, {
    status: row.changedWhileGenerating ? 'stale' : 'ready',
    statusReason: row.changedWhileGenerating ? 'Changed on GitHub while the agent was writing' : null,
    changedWhileGenerating: false,
  })
  await announce(tx, deps.bus, artifactEvents.versionAdded, next, { version: next.latestVersion, author })
  return next.autoPending
}
