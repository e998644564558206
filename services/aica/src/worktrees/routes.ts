import {
  CloneRequest,
  DispatchResult,
  Thread,
  ThreadCreate,
  VisibilitySet,
  Worktree,
  WorktreeCreate,
  WorktreeListQuery,
  WorktreePage,
  WorktreeParams,
  WorktreeSnapshot,
} from '@bosun/contracts/aica'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { assertManage, visibleWorktree } from '../threads/access'
import { archiveWorktree, cloneWorktree, setVisibility } from '../threads/actions'
import { attachThread, createWorktree } from '../threads/create'
import { listWorktrees, threadView, worktreeSnapshot, worktreeViewById } from '../threads/queries'

const tags = ['aica']

export function worktreeRoutes(deps: AicaDeps) {
  const viewOf = (id: string) => worktreeViewById(deps, id)
  return new Elysia({ prefix: '/api/worktrees' })
    .use(authPlugin(deps.guard))
    .get('', ({ principal, query }) => listWorktrees(deps, principal, query), {
      auth: ['aica:read'],
      query: WorktreeListQuery,
      detail: { operationId: 'aicaListWorktrees', tags, summary: 'Worktrees visible to me (newest first)' },
      response: { 200: WorktreePage, ...errors(400, 401, 403, 404) },
    })
    .post(
      '',
      async ({ principal, body, set }) => {
        const id = await createWorktree(deps, principal, body)
        set.status = 201
        return viewOf(id)
      },
      {
        auth: ['aica:write'],
        body: WorktreeCreate,
        detail: { operationId: 'aicaCreateWorktree', tags, summary: 'Create a worktree without a thread' },
        response: { 201: Worktree, ...errors(400, 401, 403, 404) },
      },
    )
    .get('/:wtId', ({ principal, params }) => worktreeSnapshot(deps, principal, params.wtId), {
      auth: ['aica:read'],
      params: WorktreeParams,
      detail: { operationId: 'aicaGetWorktree', tags, summary: 'Worktree snapshot with its threads' },
      response: { 200: WorktreeSnapshot, ...errors(400, 401, 403, 404) },
    })
    .post(
      '/:wtId/threads',
      async ({ principal, params, body, set }) => {
        const wt = await visibleWorktree(deps, principal, params.wtId)
        assertManage(principal, wt)
        const id = await attachThread(deps, principal, wt, body)
        set.status = 201
        return (await threadView(deps, id)).thread
      },
      {
        auth: ['aica:write'],
        params: WorktreeParams,
        body: ThreadCreate,
        detail: { operationId: 'aicaAttachThread', tags, summary: 'Attach a new thread to a worktree' },
        response: { 201: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:wtId/clone',
      async ({ principal, params, body, set }) => {
        const { threadId } = await cloneWorktree(deps, principal, params.wtId, body)
        set.status = 201
        return threadView(deps, threadId)
      },
      {
        auth: ['aica:write'],
        params: WorktreeParams,
        body: CloneRequest,
        detail: { operationId: 'aicaCloneWorktree', tags, summary: 'A new worktree from the latest backup' },
        response: { 201: DispatchResult, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:wtId/visibility',
      async ({ principal, params, body }) => {
        await setVisibility(deps, principal, params.wtId, body.visibility)
        return viewOf(params.wtId)
      },
      {
        auth: ['aica:write'],
        params: WorktreeParams,
        body: VisibilitySet,
        detail: { operationId: 'aicaSetVisibility', tags, summary: 'personal <-> team' },
        response: { 200: Worktree, ...errors(400, 401, 403, 404) },
      },
    )
    .post(
      '/:wtId/archive',
      async ({ principal, params }) => {
        await archiveWorktree(deps, principal, params.wtId)
        return viewOf(params.wtId)
      },
      {
        auth: ['aica:write'],
        params: WorktreeParams,
        detail: { operationId: 'aicaArchiveWorktree', tags, summary: 'Archive a worktree and its threads' },
        response: { 200: Worktree, ...errors(400, 401, 403, 404, 409) },
      },
    )
}
