import type { Principal } from '@bosun/contracts/principal'
import { LiveChanges, type Repository, type Snapshot, snapshotRpc } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'
import { AppError, notFound, unavailable } from '@bosun/service-kit/errors'

const TTL_MS = 5_000

export type Workspaces = {
  /** The workspace, when the caller is a member or an admin; 404 otherwise (also for unknown ones). */
  forCaller(principal: Principal, workspaceId: string): Promise<Snapshot>
  close(): void
}

/**
 * Workspace snapshots over NATS, remembered a few seconds and dropped on every live change of the workspace
 * (`bosun.rt.workspace.<id>`), so a removed member or repository counts at once.
 */
export function createWorkspaces(bus: Pick<Bus, 'request' | 'onLive' | 'subjects'>): Workspaces {
  const cache = new Map<string, { snapshot: Snapshot; at: number }>()
  const sub = bus.onLive(bus.subjects.rt('workspace', '*'), LiveChanges, (changes) => {
    for (const c of changes) cache.delete(c.workspaceId)
  })
  const load = async (id: string) => {
    const hit = cache.get(id)
    if (hit && Date.now() - hit.at < TTL_MS) return hit.snapshot
    try {
      const snapshot = await bus.request(snapshotRpc, { workspaceId: id })
      if (cache.size > 1000) cache.clear()
      cache.set(id, { snapshot, at: Date.now() })
      return snapshot
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw notFound('Workspace')
      throw unavailable('Cannot reach the workspace service')
    }
  }
  return {
    async forCaller(principal, workspaceId) {
      const snapshot = await load(workspaceId)
      const login = principal.login.toLowerCase()
      const member = snapshot.members.some((m) => m.login.toLowerCase() === login)
      if (!member && principal.role !== 'admin') throw notFound('Workspace')
      return snapshot
    },
    close: () => sub.unsubscribe(),
  }
}

/** The workspace's repository named `owner/repo` (any case); 404 when the workspace has none such. */
export function repositoryOf(snapshot: Snapshot, owner: string, repo: string): Repository {
  const key = `${owner}/${repo}`.toLowerCase()
  const found = snapshot.repositories.find((r) => r.fullName.toLowerCase() === key)
  if (!found) throw notFound(`Repository ${owner}/${repo} in workspace ${snapshot.workspace.id}`)
  return found
}
