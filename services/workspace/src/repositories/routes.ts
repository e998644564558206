import { errors } from '@bosun/contracts/errors'
import { isDescending } from '@bosun/contracts/pagination'
import {
  RepoParams,
  Repository,
  RepositoryCreate,
  RepositoryListQuery,
  RepositoryPage,
  WorkspaceParams,
} from '@bosun/contracts/workspace'
import { paginate } from '@bosun/service-kit/paging'
import { Elysia, t } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { workspaceAccess } from '../workspaces/access'
import { addRepository, defaultRepository, listRepositories, removeRepository } from './service'

export function repositoryRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces/:id/repositories' })
    .use(workspaceAccess(deps))
    .get(
      '',
      async ({ principal, params, query }) => {
        const q = query.query?.toLowerCase()
        const list = (await listRepositories(deps.database, params.id))
          .filter((r) => query.is_default === undefined || r.isDefaultForAgents === query.is_default)
          .filter((r) => !q || r.fullName.toLowerCase().includes(q))
        if (query.sort === 'default_branch')
          list.sort(
            (a, b) => a.defaultBranch.localeCompare(b.defaultBranch) || a.fullName.localeCompare(b.fullName),
          )
        return paginate(isDescending(query.direction) ? list.reverse() : list, query)
      },
      {
        member: ['team_members:read'],
        params: WorkspaceParams,
        query: RepositoryListQuery,
        detail: {
          operationId: 'workspaceListRepositories',
          tags: ['workspace'],
          summary: "The workspace's repositories",
        },
        response: { 200: RepositoryPage, ...errors(400, 401, 403, 404) },
      },
    )
    .get(
      '/default',
      async ({ principal, params }) => {
        return defaultRepository(deps.database, params.id)
      },
      {
        member: ['team_members:read'],
        params: WorkspaceParams,
        detail: {
          operationId: 'workspaceDefaultRepository',
          tags: ['workspace'],
          summary: 'The repository agents use when a dispatch names none (404 when none is marked)',
        },
        response: { 200: Repository, ...errors(400, 401, 403, 404) },
      },
    )
    .post(
      '',
      async ({ principal, params, body, set }) => {
        set.status = 201
        return addRepository(deps, principal, params.id, body)
      },
      {
        member: ['team_policies:write'],
        params: WorkspaceParams,
        body: RepositoryCreate,
        detail: { operationId: 'workspaceAddRepository', tags: ['workspace'], summary: 'Add a repository' },
        response: { 201: Repository, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .delete(
      '/:owner/:repo',
      async ({ principal, params, set }) => {
        await removeRepository(deps, principal, params.id, `${params.owner}/${params.repo}`)
        set.status = 204
      },
      {
        member: ['team_policies:write'],
        params: RepoParams,
        detail: {
          operationId: 'workspaceRemoveRepository',
          tags: ['workspace'],
          summary: 'Remove a repository',
        },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
}
