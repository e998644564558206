import { errors } from '@bosun/contracts/errors'
import { isDescending } from '@bosun/contracts/pagination'
import {
  Snapshot,
  Workspace,
  WorkspaceCreate,
  WorkspaceListQuery,
  WorkspacePage,
  WorkspaceParams,
} from '@bosun/contracts/workspace'
import { authorizedNow, authPlugin } from '@bosun/service-kit/auth-guard'
import { paginate } from '@bosun/service-kit/paging'
import { Elysia } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { workspaceAccess } from './access'
import { cachedSnapshot, createWorkspace, listWorkspaces, maySee } from './service'

const sorters = {
  id: (a: Workspace, b: Workspace) => a.id.localeCompare(b.id),
  name: (a: Workspace, b: Workspace) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  created_at: (a: Workspace, b: Workspace) =>
    a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
}

export const SNAPSHOT_ROUTE = '/api/workspaces/:id/snapshot'
const SNAPSHOT_SCOPES = ['team_members:read'] as const

/**
 * The snapshot read answered before the framework when the caller's credential and the snapshot are both in
 * memory (the common case: a dashboard polling). It authorizes with the route's own rules (service-kit's
 * `authorizedNow`, the same scopes, `maySee`); anything else, every refusal included, is left to the route.
 */
export function snapshotFastGet(deps: WorkspaceDeps) {
  return (request: Bun.BunRequest) => {
    const principal = authorizedNow(deps.guard, request, SNAPSHOT_SCOPES)
    const entry = principal && request.params.id ? deps.cache.peek(request.params.id) : undefined
    return entry && principal && maySee(entry, principal) ? new Response(entry.body) : undefined
  }
}

export function workspaceRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces' })
    .use(authPlugin(deps.guard))
    .use(workspaceAccess(deps))
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
    .get('/:id/snapshot', async ({ params }) => new Response(await cachedSnapshot(deps, params.id)), {
      member: SNAPSHOT_SCOPES,
      params: WorkspaceParams,
      detail: {
        operationId: 'workspaceSnapshot',
        tags: ['workspace'],
        summary: 'Members, author records, check policies, starred comments and folders, repositories',
      },
      response: { 200: Snapshot, ...errors(400, 401, 403, 404) },
    })
}
