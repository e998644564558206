import { HumanRequestList, HumanRequestParams, ThreadParams } from '@bosun/contracts/aica'
import { WorkspaceQuery } from '@bosun/contracts/bundle'
import { errors } from '@bosun/contracts/errors'
import {
  AutoApproveSet,
  PermissionAnswer,
  PermissionDefaults,
  PermissionDefaultsSet,
  QuestionAnswer,
} from '@bosun/contracts/permissions'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { invalid } from '@bosun/service-kit/errors'
import { Elysia, t } from 'elysia'
import { bundleWorkspace as workspaceOf } from '../bundle/service'
import type { AicaDeps } from '../deps'
import { permissionDefaults, setPermissionDefaults } from './defaults'
import { answerRequest, pendingRequests, setAutoApprove } from './ledger'

const tags = ['aica']
const Ok = t.Object({ ok: t.Literal(true) }, { title: 'Ok' })
const AutoApproveState = t.Object(
  { threadId: t.String(), autoApprove: t.Boolean() },
  { title: 'AutoApproveState' },
)

/** The human-in-the-loop routes: a thread's requests and their answers, auto-approve, the workspace defaults. */
export function permissionRoutes(deps: AicaDeps) {
  return new Elysia({ prefix: '/api' })
    .use(authPlugin(deps.guard))
    .get(
      '/aica/permission-defaults',
      async ({ principal, query }) =>
        permissionDefaults(deps, await workspaceOf(deps, principal, query.workspace)),
      {
        auth: ['aica:read'],
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaGetPermissionDefaults',
          tags,
          summary: "The workspace's default permission policies (people's threads, aica:auto threads)",
        },
        response: { 200: PermissionDefaults, ...errors(400, 401, 403, 404) },
      },
    )
    .put(
      '/aica/permission-defaults',
      async ({ principal, body }) =>
        setPermissionDefaults(deps, principal, await workspaceOf(deps, principal, body.workspace), body),
      {
        auth: ['team_shared_creds:write'],
        body: PermissionDefaultsSet,
        detail: {
          operationId: 'aicaSetPermissionDefaults',
          tags,
          summary: 'Set the default permission policies (admins); applies to threads dispatched afterwards',
        },
        response: { 200: PermissionDefaults, ...errors(400, 401, 403, 404) },
      },
    )
    .get(
      '/agent-sessions/:id/requests',
      ({ principal, params }) => pendingRequests(deps, principal, params.id),
      {
        auth: ['aica:read'],
        params: ThreadParams,
        detail: {
          operationId: 'aicaPendingRequests',
          tags,
          summary: "The agent's requests still waiting on a person",
        },
        response: { 200: HumanRequestList, ...errors(400, 401, 403, 404) },
      },
    )
    .post(
      '/agent-sessions/:id/permissions/:requestId',
      async ({ principal, params, body }) => {
        await answerRequest(deps, principal, params.id, params.requestId, { kind: 'permission', ...body })
        return { ok: true as const }
      },
      {
        auth: ['aica:write'],
        params: HumanRequestParams,
        body: PermissionAnswer,
        detail: {
          operationId: 'aicaAnswerPermission',
          tags,
          summary: 'Allow once, always, or reject a permission request (first answer wins; 409 when settled)',
        },
        response: { 200: Ok, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/agent-sessions/:id/questions/:requestId/answer',
      async ({ principal, params, body }) => {
        // Elysia lets an empty string through the union; an empty answer tells the agent nothing.
        if (typeof body.answer === 'string' && !body.answer.trim())
          throw invalid('The answer is empty', [{ in: 'body', path: '/answer', message: 'empty' }])
        const answers = typeof body.answer === 'string' ? null : body.answer
        const request = answers
          ? undefined
          : await questionCount(deps, principal, params.id, params.requestId)
        await answerRequest(deps, principal, params.id, params.requestId, {
          kind: 'question',
          answers: answers ?? Array.from({ length: request ?? 1 }, () => [body.answer as string]),
        })
        return { ok: true as const }
      },
      {
        auth: ['aica:write'],
        params: HumanRequestParams,
        body: QuestionAnswer,
        detail: {
          operationId: 'aicaAnswerQuestion',
          tags,
          summary: "Answer the agent's question (first answer wins; 409 when settled)",
        },
        response: { 200: Ok, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .post(
      '/agent-sessions/:id/auto-approve',
      ({ principal, params, body }) => setAutoApprove(deps, principal, params.id, body.on),
      {
        auth: ['aica:write'],
        params: ThreadParams,
        body: AutoApproveSet,
        detail: {
          operationId: 'aicaSetAutoApprove',
          tags,
          summary: 'Grant `ask` permission requests of this thread without a person (never `deny`)',
        },
        response: { 200: AutoApproveState, ...errors(400, 401, 403, 404) },
      },
    )
}

/** How many questions a pending question request holds, so one text answers each. */
async function questionCount(
  deps: AicaDeps,
  principal: Parameters<typeof pendingRequests>[1],
  threadId: string,
  requestId: string,
) {
  const { results } = await pendingRequests(deps, principal, threadId)
  const ask = results.find((r) => r.requestId === requestId)?.ask
  return ask?.kind === 'question' ? ask.questions.length : undefined
}
