import type { Principal } from '@bosun/contracts/principal'
import { invalid, notFound } from '@bosun/service-kit/errors'
import type { MembershipIndex } from './memberships'
import type { WorkspaceView, WorkspaceViews } from './views'

const choose = (ids: string[]) =>
  invalid(`Several workspaces; choose one with workspace= (${ids.join(', ')})`, [
    { in: 'query', path: '/workspace', message: `one of ${ids.join(', ')}` },
  ])

/**
 * The workspace a read is about: the one named (404 unless the caller is a member, or an admin), or else the
 * caller's only workspace (400 naming `workspace` when they belong to several). An admin who belongs to none
 * (an API key) gets the installation's only workspace, or the same 400 when there are several.
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
  if (ids.length > 1) throw choose(ids)
  const only = ids[0]
  if (!only && principal.role === 'admin') {
    const all = await deps.memberships.allWorkspaces(10)
    if (all.length > 1) throw choose(all)
    if (all[0]) return deps.views.get(all[0])
  }
  if (!only) throw notFound('Workspace')
  const view = await deps.views.get(only)
  // The projection may trail a removal by a moment; the snapshot has the last word.
  if (!view.members.has(login)) throw notFound('Workspace')
  return view
}
