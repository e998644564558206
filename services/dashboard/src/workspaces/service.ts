import type { Principal } from '@bosun/contracts/principal'
import { invalid, notFound } from '@bosun/service-kit/errors'
import type { MembershipIndex } from './memberships'
import type { WorkspaceView, WorkspaceViews } from './views'

/**
 * The workspace a read is about: the one named (404 unless the caller is a member, or an admin), or else the
 * caller's only workspace (400 when they belong to several, 404 when to none).
 */
export async function resolveWorkspace(
  deps: { views: WorkspaceViews; memberships: MembershipIndex },
  principal: Principal,
  requested: string | undefined,
): Promise<WorkspaceView> {
  const login = principal.login.toLowerCase()
  if (requested) {
    const view = await deps.views.get(requested)
    if (principal.role !== 'admin' && !view.members.has(login)) throw notFound('Workspace')
    return view
  }
  const ids = await deps.memberships.workspacesOf(login)
  if (ids.length > 1)
    throw invalid(`You belong to several workspaces; choose one with workspace= (${ids.join(', ')})`, [
      { in: 'query', path: '/workspace', message: `one of ${ids.join(', ')}` },
    ])
  const only = ids[0]
  if (!only) throw notFound('Workspace')
  const view = await deps.views.get(only)
  // The projection may trail a removal by a moment; the snapshot has the last word.
  if (!view.members.has(login)) throw notFound('Workspace')
  return view
}
