import { errors } from '@bosun/contracts/errors'
import { isDescending } from '@bosun/contracts/pagination'
import { hasScopes } from '@bosun/contracts/scopes'
import {
  Snapshot,
  Workspace,
  WorkspaceCreate,
  WorkspaceListQuery,
  WorkspacePage,
  WorkspaceParams,
} from '@bosun/contracts/workspace'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { paginate } from '@bosun/service-kit/paging'
import { Elysia } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { cachedSnapshot, createWorkspace, listWorkspaces, snapshotInMemory } from './service'

const sorters = {
  id: (a: Workspace, b: Workspace) => a.id.localeCompare(b.id),
  name: (a: Workspace, b: Workspace) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  created_at: (a: Workspace, b: Workspace) =>
    a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
}

export const SNAPSHOT_ROUTE = '/api/workspaces/:id/snapshot'

/**
 * The snapshot read answered at once when the caller's credential and the snapshot are both in memory (the
 * common case: a dashboard polling); anything else, including every refusal, is left to the route below.
 */
export function snapshotFastGet(deps: WorkspaceDeps) {
  return (request: Bun.BunRequest) => {
    const principal = deps.guard.cachedPrincipal(request)
    const id = request.params.id
    if (!id || !principal || !hasScopes(principal.scopes, ['team_members:read'])) return undefined
    const body = snapshotInMemory(deps, principal, id)
    return body && new Response(body)
  }
}

export function workspaceRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces' })
    .use(authPlugin(deps.guard))
    .get(
      '',
      async ({ principal, query }) => {
        const q = query.query?.toLowerCase()
        const list = (await listWorkspaces(deps.database, principal))
          .filter((w) => !q || w.id.includes(q) || w.name.toLowerCase().includes(q))
          .sort(sorters[query.sort ?? 'id'])
        return paginate(isDescending(query.direction) ? list.reverse() : list, query)
      },
      {
        auth: [],
        query: WorkspaceListQuery,
        detail: {
          operationId: 'workspaceList',
          tags: ['workspace'],
          summary: "The caller's workspaces (admins: all)",
        },
        response: { 200: WorkspacePage, ...errors(400, 401) },
      },
    )
    .post(
      '',
      async ({ principal, body, set }) => {
        set.status = 201
        return createWorkspace(deps, principal, body)
      },
      {
        auth: ['workspaces:admin'],
        body: WorkspaceCreate,
        detail: {
          operationId: 'workspaceCreate',
          tags: ['workspace'],
          summary: 'Create a workspace (admin)',
        },
        response: { 201: Workspace, ...errors(400, 401, 403, 409) },
      },
    )
    .get(
      '/:id/snapshot',
      async ({ principal, params }) => {
        return new Response(await cachedSnapshot(deps, principal, params.id))
      },
      {
        auth: ['team_members:read'],
        params: WorkspaceParams,
        detail: {
          operationId: 'workspaceSnapshot',
          tags: ['workspace'],
          summary: 'Members, author records, check policies, starred comments and folders, repositories',
        },
        response: { 200: Snapshot, ...errors(400, 401, 403, 404) },
      },
    )
}
