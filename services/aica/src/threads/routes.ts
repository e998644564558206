import {
  AppliedDraft,
  DispatchEnvelope,
  DispatchResult,
  ForkRequest,
  ItemParams,
  PromptRequest,
  RetryRequest,
  SnapshotQuery,
  Thread,
  ThreadListQuery,
  ThreadPage,
  ThreadParams,
  ThreadSnapshot,
} from '@bosun/contracts/aica'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { createRateLimit } from '@bosun/service-kit/rate-limit'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { applyDraft } from '../drafts/service'
import { archiveThread, forkThread, promptThread, retryThread, stopThread } from './actions'
import { dispatch } from './create'
import { listThreads, threadSnapshot, threadView } from './queries'

const tags = ['aica']

export function threadRoutes(deps: AicaDeps) {
  const viewOf = async (id: string) => (await threadView(deps, id)).thread
  // One member cannot fill the team's slots: each caller's dispatches per minute are bounded.
  const dispatches = createRateLimit({
    limit: deps.env.BOSUN_RATE_DISPATCHES_PER_MINUTE,
    windowMs: 60_000,
    what: 'dispatches',
  })
  return new Elysia({ prefix: '/api/agent-sessions' })
    .use(authPlugin(deps.guard))
    .get('', ({ principal, query }) => listThreads(deps, principal, query), {
      auth: ['aica:read'],
      query: ThreadListQuery,
      detail: { operationId: 'aicaListThreads', tags, summary: 'Threads visible to me (newest first)' },
      response: { 200: ThreadPage, ...errors(400, 401, 403, 404) },
    })
    .post(
      '',
      async ({ principal, body, set }) => {
        dispatches.take(principal.userId)
        const { threadId } = await dispatch(deps, principal, body)
        set.status = 201
        return threadView(deps, threadId)
      },
      {
        auth: ['aica:write'],
        body: DispatchEnvelope,
        detail: {
          operationId: 'aicaDispatch',
          tags,
          summary: 'Dispatch a fresh worktree and thread',
          description:
            "Without `workspace`, the caller's only workspace; without `repo`, the workspace's default repository for agents; without `ref`, its default branch. `extraEnv` is held in memory only until the runner fetches it.",
        },
        response: { 201: DispatchResult, ...errors(400, 401, 403, 404, 413, 429) },
      },
    )
    .get(
      '/:id',
      ({ principal, params, query }) => threadSnapshot(deps, principal, params.id, query.since, query.limit),
      {
        auth: ['aica:read'],
        params: ThreadParams,
        query: SnapshotQuery,
        detail: { operationId: 'aicaGetThread', tags, summary: 'Thread snapshot with its items' },
        response: { 200: ThreadSnapshot, ...errors(400, 401, 403, 404) },
      },
    )
    .post(
      '/:id/fork',
      async ({ principal, params, body, set }) => {
        const id = await forkThread(deps, principal, params.id, body)
        set.status = 201
        return viewOf(id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        body: ForkRequest,
        detail: { operationId: 'aicaForkThread', tags, summary: 'Fork a thread at an item' },
        response: { 201: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:id/archive',
      async ({ principal, params }) => {
        await archiveThread(deps, principal, params.id)
        return viewOf(params.id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        detail: { operationId: 'aicaArchiveThread', tags, summary: 'Archive a thread (frees its slot)' },
        response: { 200: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:id/stop',
      async ({ principal, params }) => {
        await stopThread(deps, principal, params.id)
        return viewOf(params.id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        detail: { operationId: 'aicaStopThread', tags, summary: 'Stop a queued or live thread' },
        response: { 200: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:id/retry',
      async ({ principal, params, body }) => {
        await retryThread(deps, principal, params.id, body.extraEnv)
        return viewOf(params.id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        body: RetryRequest,
        detail: { operationId: 'aicaRetryThread', tags, summary: 'Queue a failed or stopped thread again' },
        response: { 200: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:id/apply-draft/:itemId',
      ({ principal, params }) => applyDraft(deps, principal, params.id, params.itemId),
      {
        auth: ['aica:write'],
        params: ItemParams,
        detail: {
          operationId: 'aicaApplyDraft',
          tags,
          summary: 'Post a draft-comment item to GitHub (idempotent)',
        },
        response: { 200: AppliedDraft, ...errors(400, 401, 403, 404, 409, 503) },
      },
    )
    .post(
      '/:id/prompt',
      async ({ principal, params, body }) => {
        await promptThread(deps, principal, params.id, body.text)
        return viewOf(params.id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        body: PromptRequest,
        detail: {
          operationId: 'aicaPromptThread',
          tags,
          summary: 'Send a prompt to a running or idle thread',
        },
        response: { 200: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
}
