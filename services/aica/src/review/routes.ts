import { RequestChangesRequest, ReviewRequest, Thread, ThreadParams } from '@bosun/contracts/aica'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { threadView } from '../threads/queries'
import { requestChanges, reviewThread } from './service'

const tags = ['aica']

/** Seed 003's review loop on a thread whose turn ended with changes. */
export function reviewRoutes(deps: AicaDeps) {
  const viewOf = async (id: string) => (await threadView(deps, id)).thread
  return new Elysia({ prefix: '/api/agent-sessions' })
    .use(authPlugin(deps.guard))
    .post(
      '/:id/review',
      async ({ principal, params, body }) => {
        await reviewThread(deps, principal, params.id, body)
        return viewOf(params.id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        body: ReviewRequest,
        detail: {
          operationId: 'aicaReviewThread',
          tags,
          summary: 'Approve (publish a pull request) or decline the changes of a thread awaiting review',
          description:
            'Approve moves the thread to `publishing`: its latest backup is committed by the Bosun bot (the approver as `Co-authored-by`), pushed to `bosun/<thread id>` and opened as a pull request, recorded as `pullRequest`. Approving a thread already publishing or published changes nothing. A refused push ends `merge_failed` with the reason; approve again or request changes. Decline ends the thread `declined`. 409 (with `details.status`) when the thread is not awaiting review. Owner only, or any aica:write member for `aica:auto` threads.',
        },
        response: { 200: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/:id/request-changes',
      async ({ principal, params, body }) => {
        await requestChanges(deps, principal, params.id, body.comment)
        return viewOf(params.id)
      },
      {
        auth: ['aica:write'],
        params: ThreadParams,
        body: RequestChangesRequest,
        detail: {
          operationId: 'aicaRequestChanges',
          tags,
          summary: 'Run the comment as the next turn on the same worktree and branch',
          description:
            'For a thread awaiting review, published or merge_failed: it is queued again with the comment as its prompt, restored from the latest backup wherever it runs; a later approval pushes a new commit to the same branch and pull request. 409 (with `details.status`) otherwise.',
        },
        response: { 200: Thread, ...errors(400, 401, 403, 404, 409) },
      },
    )
}
