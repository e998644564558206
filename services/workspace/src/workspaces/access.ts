import type { Scope } from '@bosun/contracts/scopes'
import { authorize } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { accessibleWorkspace } from './service'

/**
 * The access check of every route under `/api/workspaces/:id`, written once: `{ member: [scopes] }` authorizes the
 * caller (signed in, holding the scopes) and requires that they may see workspace `:id` (404 when not, so its
 * existence does not leak); the handler gets `principal`.
 */
export function workspaceAccess(deps: Pick<WorkspaceDeps, 'guard' | 'cache' | 'database'>) {
  return new Elysia({ name: 'workspace-access' }).macro({
    member: (scopes: readonly Scope[]) => ({
      async resolve({ request, params }) {
        const principal = await authorize(deps.guard, request, scopes)
        await accessibleWorkspace(deps, principal, (params as { id: string }).id)
        return { principal }
      },
    }),
  })
}
