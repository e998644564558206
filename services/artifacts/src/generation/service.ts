import { bundleAgentsRpc, dispatchRpc } from '@bosun/contracts/aica'
import { ARTIFACT_AGENTS, artifactEvents } from '@bosun/contracts/artifacts'
import type { Principal } from '@bosun/contracts/principal'
import { AppError, found } from '@bosun/service-kit/errors'
import { errorFields } from '@bosun/service-kit/log'
import { and, eq, isNull, lt } from 'drizzle-orm'
import { resolveKey } from '../artifacts/service'
import {
  type ArtifactRow,
  type ArtTx,
  announce,
  findById,
  type GenerationRow,
  getOrCreate,
  type Key,
  newId,
  runningGeneration,
  toGeneration,
  update,
  view,
} from '../artifacts/store'
import * as schema from '../db/schema'
import type { ArtifactsDeps } from '../deps'
import { readMaterial } from './material'
import { generationPrompt } from './prompt'

/** Who threads run as: generation is team work, on the workspace's shared credentials. */
export const AUTO_USER = 'aica:auto'
/** A generation still without a thread this long after it started was cut off by a crash. */
const DISPATCH_GRACE_MS = 2 * 60_000

type Requester = { userId: string; login: string }

/** Takes the artifact's one generation slot in the caller's transaction; 409 with the running one. */
export async function takeSlot(tx: ArtTx, row: ArtifactRow, requestedBy: string): Promise<GenerationRow> {
  const running = await runningGeneration(tx, row.id)
  if (running)
    throw new AppError('conflict', 'A generation of this artifact is already running', {
      generation: toGeneration(running),
    })
  const gen: GenerationRow = {
    id: newId('gen'),
    artifactId: row.id,
    status: 'running',
    threadId: null,
    worktreeId: null,
    agent: ARTIFACT_AGENTS[row.kind],
    requestedBy,
    error: null,
    startedAt: Date.now(),
    endedAt: null,
  }
  await tx.insert(schema.generations).values(gen)
  await update(tx, row.id, { status: 'generating', statusReason: null, changedWhileGenerating: false })
  return gen
}

/** `POST …/start-generation`: creates the artifact if needed and dispatches its writer. */
export async function startGeneration(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  given: Key,
) {
  const { key } = await resolveKey(deps, principal, workspaceId, given)
  const { row, gen } = await deps.database.write(async (tx) => {
    const row = await getOrCreate(tx, workspaceId, key)
    return { row, gen: await takeSlot(tx, row, principal.login) }
  })
  await dispatchGeneration(deps, row, gen, { userId: principal.userId, login: principal.login })
  return view(deps.database.db, found(await findById(deps.database.db, workspaceId, row.id), 'Artifact'))
}

/**
 * Reads the issue or PR as the App, picks the team's agent when the bundle has one (else the built-in
 * instructions go in the prompt) and dispatches an `aica:auto` thread on the requester's behalf. Any failure
 * ends the generation as failed, keeping the last good version, and is rethrown.
 */
export async function dispatchGeneration(
  deps: ArtifactsDeps,
  row: ArtifactRow,
  gen: GenerationRow,
  requester: Requester,
) {
  const repo = `${row.owner}/${row.repo}`
  try {
    const material = await readMaterial(deps.github, deps.env.GITHUB_API_URL, repo, row.kind, row.number)
    const { names } = await deps.bus.request(bundleAgentsRpc, { workspaceId: row.workspaceId })
    const teamAgent = ARTIFACT_AGENTS[row.kind]
    const own = names.includes(teamAgent)
    const prompt = generationPrompt(row.kind, `${repo}#${row.number}`, material, !own)
    const { threadId, worktreeId } = await deps.bus.request(dispatchRpc, {
      workspaceId: row.workspaceId,
      userId: requester.userId,
      login: requester.login,
      prompt,
      repo,
      asAuto: true,
      ...(own ? { agent: teamAgent } : {}),
    })
    const agent = own ? teamAgent : `${teamAgent} (built-in)`
    await deps.database.write(async (tx) => {
      await tx
        .update(schema.generations)
        .set({ threadId, worktreeId, agent })
        .where(and(eq(schema.generations.id, gen.id), eq(schema.generations.status, 'running')))
      const current = found(await findById(tx, row.workspaceId, row.id), 'Artifact')
      await announce(tx, deps.bus, artifactEvents.generationStarted, current, {
        generationId: gen.id,
        threadId,
        by: gen.requestedBy,
      })
    })
  } catch (err) {
    const reason = err instanceof AppError ? err.message : 'The generation could not be started'
    if (!(err instanceof AppError)) deps.logger.error('generation dispatch failed', errorFields(err))
    await deps.database.write((tx) => failGeneration(tx, deps, gen.id, reason))
    throw err
  }
}

/** Ends a running generation as failed: the artifact keeps its latest version and says why. */
export async function failGeneration(tx: ArtTx, deps: ArtifactsDeps, generationId: string, reason: string) {
  const [gen] = await tx.select().from(schema.generations).where(eq(schema.generations.id, generationId))
  if (gen?.status !== 'running') return undefined
  await tx
    .update(schema.generations)
    .set({ status: 'failed', error: reason, endedAt: Date.now() })
    .where(eq(schema.generations.id, gen.id))
  const [row] = await tx.select().from(schema.artifacts).where(eq(schema.artifacts.id, gen.artifactId))
  if (!row) return undefined
  const next = await update(tx, row.id, { status: 'failed', statusReason: reason })
  await announce(tx, deps.bus, artifactEvents.generationFailed, next, { generationId: gen.id, reason })
  return next
}

/** Generations a crash cut off between taking the slot and dispatching: failed, so the slot frees. */
export async function failInterrupted(deps: ArtifactsDeps) {
  await deps.database.write(async (tx) => {
    const stuck = await tx
      .select({ id: schema.generations.id })
      .from(schema.generations)
      .where(
        and(
          eq(schema.generations.status, 'running'),
          isNull(schema.generations.threadId),
          lt(schema.generations.startedAt, Date.now() - DISPATCH_GRACE_MS),
        ),
      )
    for (const g of stuck)
      await failGeneration(tx, deps, g.id, 'Interrupted before its thread was dispatched')
  })
}

/** Each service instance's pump: the one running, and whether more became due while it ran. */
const pumps = new WeakMap<ArtifactsDeps, { running?: Promise<void>; again: boolean }>()

/**
 * Starts the automatic regenerations that are owed (`auto_pending`), one per artifact, each taking the slot
 * in the transaction that clears its flag: a change is regenerated once. One pump runs at a time.
 */
export function pumpAuto(deps: ArtifactsDeps): Promise<void> {
  const pump = pumps.get(deps) ?? { again: false }
  pumps.set(deps, pump)
  if (pump.running) {
    pump.again = true
    return pump.running
  }
  pump.running = (async () => {
    do {
      pump.again = false
      const started = await deps.database.write(async (tx) => {
        const due = await tx.select().from(schema.artifacts).where(eq(schema.artifacts.autoPending, true))
        const out: Array<{ row: ArtifactRow; gen: GenerationRow }> = []
        for (const row of due) {
          if (await runningGeneration(tx, row.id)) continue
          const cleared = await update(tx, row.id, { autoPending: false })
          out.push({ row: cleared, gen: await takeSlot(tx, cleared, 'auto') })
        }
        return out
      })
      for (const { row, gen } of started)
        await dispatchGeneration(deps, row, gen, { userId: AUTO_USER, login: AUTO_USER }).catch((err) =>
          deps.logger.warn('automatic regeneration failed', { artifactId: row.id, ...errorFields(err) }),
        )
    } while (pump.again)
  })().finally(() => {
    pump.running = undefined
  })
  return pump.running
}

/** Runs the pump once the caller's transaction has committed (a write queued now lands in the next batch). */
export function pumpAfterCommit(deps: ArtifactsDeps) {
  void deps.database
    .write(async () => {})
    .then(() => pumpAuto(deps))
    .catch((err) => deps.logger.warn('automatic regeneration failed', errorFields(err)))
}
