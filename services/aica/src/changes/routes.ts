import { DiffParams, WorktreeDiff, WorktreeFile, WorktreeFileParams } from '@bosun/contracts/changes'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { visibleThread, visibleWorktree } from '../threads/access'
import { worktreeDiff, worktreeFile } from './service'

const tags = ['aica']

/** The router's `*` param, which the params schema cannot name (see WorktreeFileParams). */
const wildcard = (params: object) => {
  const value = (params as { '*'?: unknown })['*']
  return typeof value === 'string' ? value : ''
}

/** What an agent changed: the worktree's diff against its base, and one file with its diff. */
export function changesRoutes(deps: AicaDeps) {
  return new Elysia()
    .use(authPlugin(deps.guard))
    .get(
      '/api/agent-sessions/:id/diff',
      async ({ principal, params }) =>
        worktreeDiff(deps, (await visibleThread(deps, principal, params.id)).worktree),
      {
        auth: ['aica:read'],
        params: DiffParams,
        detail: {
          operationId: 'aicaThreadDiff',
          tags,
          summary: "The thread's worktree against the commit it started at",
          description:
            'Read from the runner holding the checkout (`source: checkout`) or, when none does, from the latest backup (`source: backup`); the answer is otherwise the same. Patches are capped per file and in total; `truncated` says when a cap cut something.',
        },
        response: { 200: WorktreeDiff, ...errors(400, 401, 403, 404, 503) },
      },
    )
    .get(
      '/api/worktrees/:wtId/files/*',
      async ({ principal, params }) =>
        worktreeFile(deps, await visibleWorktree(deps, principal, params.wtId), wildcard(params)),
      {
        auth: ['aica:read'],
        params: WorktreeFileParams,
        detail: {
          operationId: 'aicaWorktreeFile',
          tags,
          summary: "One file of a worktree: its content and its diff against the worktree's base",
          description:
            'A symlink is shown as its target, never followed; binary files have no content. The path is relative, without `..`, `.`, `.git` or control characters.',
        },
        response: { 200: WorktreeFile, ...errors(400, 401, 403, 404, 503) },
      },
    )
}
