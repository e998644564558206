import { bundleAgentsRpc, dispatchRpc } from '@bosun/contracts/aica'
import { backupRpc, bundleRpc, extraEnvRpc } from '@bosun/contracts/relay'
import { workspaceCreated } from '@bosun/contracts/workspace'
import { consumeEvents, type EventConsumer } from '@bosun/service-kit/consumer'
import { notFound, unauthorized } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { sharedCredsForRunner } from './admin/creds'
import { startAutoDispatch } from './auto/consumer'
import { bundleForRunner, listBundle } from './bundle/service'
import * as schema from './db/schema'
import type { AicaDeps } from './deps'
import { takeExtraEnv } from './dispatch/hand-over'
import { relayTokenWorktree } from './relay/tokens'
import { startPrComments } from './review/pr-comments'
import { move } from './threads/actions'
import { dispatchForService } from './threads/create'

/** What aica answers and consumes on NATS. */
export async function wireBus(deps: AicaDeps): Promise<EventConsumer[]> {
  const tokenWorktree = async (token: string) => {
    const wt = await relayTokenWorktree(deps.database, token)
    if (!wt) throw unauthorized('Invalid or expired relay token')
    return wt
  }

  deps.bus.serve(extraEnvRpc, async ({ threadId, relayToken }) => {
    const worktreeId = await tokenWorktree(relayToken)
    const [thread] = await deps.database.db
      .select()
      .from(schema.threads)
      .where(and(eq(schema.threads.id, threadId), eq(schema.threads.worktreeId, worktreeId)))
    if (!thread) throw notFound('Thread')
    const provider = thread.usesSharedCreds ? await sharedCredsForRunner(deps, thread.workspaceId) : undefined
    const base = provider ? { provider } : {}
    if (!thread.hasExtraEnv) return { state: 'none' as const, env: {}, ...base }
    const env = await takeExtraEnv(deps, threadId)
    if (env) return { state: 'ok' as const, env, ...base }
    await move(deps, threadId, 'failed', {
      code: 'extra_env_gone',
      message:
        'The extra environment of this dispatch is no longer held (aica restarted, or it was already handed to a runner that stopped). Dispatch again with extraEnv.',
    })
    return { state: 'gone' as const, env: {} }
  })

  deps.bus.serve(bundleRpc, async ({ workspaceId, relayToken }) => {
    const worktreeId = await tokenWorktree(relayToken)
    const [wt] = await deps.database.db
      .select()
      .from(schema.worktrees)
      .where(eq(schema.worktrees.id, worktreeId))
    if (!wt || wt.workspaceId !== workspaceId) throw notFound('Bundle')
    return bundleForRunner(deps, workspaceId)
  })

  deps.bus.serve(backupRpc, async ({ worktreeId, relayToken }) => {
    const own = await tokenWorktree(relayToken)
    const [wt] = await deps.database.db.select().from(schema.worktrees).where(eq(schema.worktrees.id, own))
    if (!wt || (own !== worktreeId && wt.restoredFrom !== worktreeId)) throw notFound('Backup')
    const [b] = await deps.database.db
      .select()
      .from(schema.backups)
      .where(eq(schema.backups.worktreeId, worktreeId))
    if (!b) throw notFound('Backup')
    return {
      ref: b.ref,
      headSha: b.headSha,
      ...(b.baseSha ? { baseSha: b.baseSha } : {}),
      bundle: b.bundle,
      sha256: b.sha256,
      at: new Date(b.at).toISOString(),
    }
  })

  deps.bus.serve(dispatchRpc, (req) => dispatchForService(deps, req))
  deps.bus.serve(bundleAgentsRpc, async ({ workspaceId }) => ({
    names: (await listBundle(deps, workspaceId, 'agents')).items.map((i) => i.name),
  }))

  const known = await consumeEvents({
    bus: deps.bus,
    database: deps.database,
    logger: deps.logger,
    durable: 'aica-known-workspaces',
    def: workspaceCreated,
    handler: async (tx, event) => {
      await tx
        .insert(schema.knownWorkspaces)
        .values({ id: event.data.workspaceId, createdAt: Date.now() })
        .onConflictDoNothing()
    },
  })
  return [known, ...(await startAutoDispatch(deps)), ...(await startPrComments(deps))]
}
