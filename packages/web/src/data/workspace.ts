import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { workspace } from '../api/clients'
import { unwrap } from '../api/errors'

export const workspaceKeys = {
  all: ['workspace'] as const,
  list: () => [...workspaceKeys.all, 'list'] as const,
  snapshot: (id: string) => [...workspaceKeys.all, id, 'snapshot'] as const,
}

export const workspacesQuery = () =>
  queryOptions({
    queryKey: workspaceKeys.list(),
    queryFn: () => unwrap(workspace.GET('/api/workspaces', { params: { query: { page_size: 200 } } })),
    staleTime: 60_000,
  })
export type Workspace = Awaited<
  ReturnType<NonNullable<ReturnType<typeof workspacesQuery>['queryFn']>>
>['results'][number]

export const useWorkspaces = () => useQuery(workspacesQuery())

export const snapshotQuery = (id: string) =>
  queryOptions({
    queryKey: workspaceKeys.snapshot(id),
    queryFn: () => unwrap(workspace.GET('/api/workspaces/{id}/snapshot', { params: { path: { id } } })),
    // The realtime socket keeps it current (live/workspace-live.ts); refetching would only race it.
    staleTime: Number.POSITIVE_INFINITY,
  })
export type Snapshot = Awaited<ReturnType<NonNullable<ReturnType<typeof snapshotQuery>['queryFn']>>>
export type Member = Snapshot['members'][number]
export type AuthorRecord = Snapshot['authorRecords'][number]
export type AuthorStatus = AuthorRecord['status']
export type CheckPolicy = Snapshot['checkPolicies'][number]
export type StarredComment = Snapshot['starredComments'][number]
export type StarredFolder = Snapshot['starredFolders'][number]
export type Repository = Snapshot['repositories'][number]

export const AUTHOR_STATUSES: readonly AuthorStatus[] = [
  'trusted',
  'good-enough',
  'suspected-slop',
  'unknown',
]

export const useSnapshot = (id: string) => useQuery(snapshotQuery(id))

/**
 * A write to the workspace. The realtime socket patches the snapshot when the change commits; the snapshot is
 * refetched as well so the screen is right even while the socket is reconnecting.
 */
function useWorkspaceWrite<V>(id: string, write: (vars: V) => Promise<unknown>) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: write,
    onSuccess: () => qc.invalidateQueries({ queryKey: workspaceKeys.snapshot(id) }),
  })
}

const ws = (id: string) => ({ path: { id } })

export const useAddMember = (id: string) =>
  useWorkspaceWrite(id, (login: string) =>
    unwrap(workspace.POST('/api/workspaces/{id}/team-members', { params: ws(id), body: { login } })),
  )
export const useRemoveMember = (id: string) =>
  useWorkspaceWrite(id, (login: string) =>
    unwrap(
      workspace.DELETE('/api/workspaces/{id}/team-members/{login}', { params: { path: { id, login } } }),
    ),
  )

export const useSetAuthorRecord = (id: string) =>
  useWorkspaceWrite(id, (body: { login: string; status: AuthorStatus; note?: string }) =>
    unwrap(workspace.POST('/api/workspaces/{id}/author-records', { params: ws(id), body })),
  )
export const useRemoveAuthorRecord = (id: string) =>
  useWorkspaceWrite(id, (login: string) =>
    unwrap(
      workspace.DELETE('/api/workspaces/{id}/author-records/{login}', { params: { path: { id, login } } }),
    ),
  )

export const useCreateCheckPolicy = (id: string) =>
  useWorkspaceWrite(id, (body: { name: string; requiredChecks: string[]; repos?: string[] }) =>
    unwrap(workspace.POST('/api/workspaces/{id}/check-policies', { params: ws(id), body })),
  )
export const useRemoveCheckPolicy = (id: string) =>
  useWorkspaceWrite(id, (name: string) =>
    unwrap(
      workspace.DELETE('/api/workspaces/{id}/check-policies/{name}', { params: { path: { id, name } } }),
    ),
  )

export type StarBody = {
  commentId: string
  url: string
  body?: string
  author?: string
  repo?: string
  prNumber?: number
  folder?: string | null
}
export const useStarComment = (id: string) =>
  useWorkspaceWrite(id, (body: StarBody) =>
    unwrap(workspace.POST('/api/workspaces/{id}/starred-comments', { params: ws(id), body })),
  )
export const useUnstarComment = (id: string) =>
  useWorkspaceWrite(id, (commentId: string) =>
    unwrap(
      workspace.DELETE('/api/workspaces/{id}/starred-comments/{commentId}', {
        params: { path: { id, commentId } },
      }),
    ),
  )
export const useCreateFolder = (id: string) =>
  useWorkspaceWrite(id, (name: string) =>
    unwrap(workspace.POST('/api/workspaces/{id}/starred-folders', { params: ws(id), body: { name } })),
  )
export const useRenameFolder = (id: string) =>
  useWorkspaceWrite(id, ({ from, to }: { from: string; to: string }) =>
    unwrap(
      workspace.PATCH('/api/workspaces/{id}/starred-folders/{name}', {
        params: { path: { id, name: from } },
        body: { name: to },
      }),
    ),
  )
export const useRemoveFolder = (id: string) =>
  useWorkspaceWrite(id, (name: string) =>
    unwrap(
      workspace.DELETE('/api/workspaces/{id}/starred-folders/{name}', { params: { path: { id, name } } }),
    ),
  )

export const useAddRepository = (id: string) =>
  useWorkspaceWrite(id, (body: { fullName: string; isDefaultForAgents?: boolean }) =>
    unwrap(workspace.POST('/api/workspaces/{id}/repositories', { params: ws(id), body })),
  )
export const useRemoveRepository = (id: string) =>
  useWorkspaceWrite(id, (fullName: string) => {
    const [owner = '', repo = ''] = fullName.split('/')
    return unwrap(
      workspace.DELETE('/api/workspaces/{id}/repositories/{owner}/{repo}', {
        params: { path: { id, owner, repo } },
      }),
    )
  })
