import { errors } from '@bosun/contracts/errors'
import {
  CommentParams,
  NameParams,
  StarredComment,
  StarredCommentSet,
  StarredFolder,
  StarredFolderCreate,
  StarredFolderRename,
  WorkspaceParams,
} from '@bosun/contracts/workspace'
import { Elysia, t } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { workspaceAccess } from '../workspaces/access'
import { createFolder, removeFolder, renameFolder, starComment, unstarComment } from './service'

const removed = { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) }

export function starredRoutes(deps: WorkspaceDeps) {
  return new Elysia({ prefix: '/api/workspaces/:id' })
    .use(workspaceAccess(deps))
    .post(
      '/starred-comments',
      async ({ principal, params, body }) => {
        return starComment(deps, principal, params.id, body)
      },
      {
        member: ['team_members:write'],
        params: WorkspaceParams,
        body: StarredCommentSet,
        detail: {
          operationId: 'workspaceStarComment',
          tags: ['workspace'],
          summary: 'Star a review comment; posting it again with another folder moves it',
        },
        response: { 200: StarredComment, ...errors(400, 401, 403, 404) },
      },
    )
    .delete(
      '/starred-comments/:commentId',
      async ({ principal, params, set }) => {
        await unstarComment(deps, principal, params.id, params.commentId)
        set.status = 204
      },
      {
        member: ['team_members:write'],
        params: CommentParams,
        detail: { operationId: 'workspaceUnstarComment', tags: ['workspace'], summary: 'Unstar a comment' },
        response: removed,
      },
    )
    .post(
      '/starred-folders',
      async ({ principal, params, body, set }) => {
        set.status = 201
        return createFolder(deps, principal, params.id, body.name)
      },
      {
        member: ['team_members:write'],
        params: WorkspaceParams,
        body: StarredFolderCreate,
        detail: {
          operationId: 'workspaceCreateFolder',
          tags: ['workspace'],
          summary: 'Create a starred-comment folder',
        },
        response: { 201: StarredFolder, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .patch(
      '/starred-folders/:name',
      async ({ principal, params, body }) => {
        return renameFolder(deps, principal, params.id, params.name, body.name)
      },
      {
        member: ['team_members:write'],
        params: NameParams,
        body: StarredFolderRename,
        detail: {
          operationId: 'workspaceRenameFolder',
          tags: ['workspace'],
          summary: 'Rename a folder; its comments follow',
        },
        response: { 200: StarredFolder, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .delete(
      '/starred-folders/:name',
      async ({ principal, params, set }) => {
        await removeFolder(deps, principal, params.id, params.name)
        set.status = 204
      },
      {
        member: ['team_members:write'],
        params: NameParams,
        detail: {
          operationId: 'workspaceRemoveFolder',
          tags: ['workspace'],
          summary: 'Delete a folder; its comments stay starred, out of any folder',
        },
        response: removed,
      },
    )
}
