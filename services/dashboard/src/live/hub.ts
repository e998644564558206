import type { CacheInvalidation, DashboardChanged } from '@bosun/contracts/dashboard'
import type { LiveChange } from '@bosun/contracts/workspace'

type Listener = (msg: DashboardChanged) => void

/**
 * The sockets this instance serves, by workspace, told when that workspace's buckets may have changed. Every
 * instance hears every cache invalidation and workspace change (core NATS fan-out), so each tells its own
 * sockets and no subject of its own is needed. Called after the cache was invalidated, so a read that follows
 * the message sees the change.
 */
export function createDashboardHub(repositoriesOf: (workspaceId: string) => Promise<readonly string[]>) {
  const listeners = new Map<string, Set<Listener>>()
  const tell = (workspace: string, msg: DashboardChanged) => {
    for (const l of listeners.get(workspace) ?? []) l(msg)
  }
  return {
    subscribe(workspace: string, listener: Listener): () => void {
      const set = listeners.get(workspace) ?? new Set()
      set.add(listener)
      listeners.set(workspace, set)
      return () => {
        set.delete(listener)
        if (!set.size) listeners.delete(workspace)
      }
    },
    workspaceChanged(change: LiveChange) {
      tell(change.workspaceId, { type: 'changed', workspace: change.workspaceId, cause: 'workspace' })
    },
    async githubChanged(inv: CacheInvalidation) {
      const repo = inv.repo.toLowerCase()
      await Promise.all(
        [...listeners.keys()].map(async (workspace) => {
          const repos = await repositoriesOf(workspace).catch(() => [])
          if (repos.some((r) => r.toLowerCase() === repo))
            tell(workspace, { type: 'changed', workspace, cause: 'github', repo: inv.repo })
        }),
      )
    },
  }
}

export type DashboardHub = ReturnType<typeof createDashboardHub>
