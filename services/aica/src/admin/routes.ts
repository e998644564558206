import {
  AutoTriggerConfig,
  AutoTriggerRepoAdd,
  AutoTriggerRepoParams,
  AutoTriggerRepoSet,
  EgressSettings,
  EgressSettingsSet,
  SharedCreds,
  SharedCredsSet,
  TriggerLabelSet,
} from '@bosun/contracts/aica-admin'
import { WorkspaceQuery } from '@bosun/contracts/bundle'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia, t } from 'elysia'
import { bundleWorkspace as workspaceOf } from '../bundle/service'
import type { AicaDeps } from '../deps'
import { deleteSharedCreds, getSharedCreds, setSharedCreds } from './creds'
import { egressSettings, setEgressHosts } from './egress'
import { addTriggerRepo, removeTriggerRepo, setTriggerFrom, setTriggerLabel, triggerConfig } from './repos'

const tags = ['aica-admin']

export function adminRoutes(deps: AicaDeps) {
  return new Elysia({ prefix: '/api' })
    .use(authPlugin(deps.guard))
    .get(
      '/auto-trigger-repos',
      async ({ principal, query }) =>
        triggerConfig(deps, await workspaceOf(deps, principal, query.workspace)),
      {
        auth: ['team_shared_creds:read'],
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaListAutoTriggerRepos',
          tags,
          summary: 'Auto-dispatch allowlist and trigger label',
        },
        response: { 200: AutoTriggerConfig, ...errors(400, 401, 403, 404) },
      },
    )
    .post(
      '/auto-trigger-repos',
      async ({ principal, body, set }) => {
        const ws = await workspaceOf(deps, principal, body.workspace)
        set.status = 201
        return addTriggerRepo(deps, principal, ws, body.repo, body.triggerFrom)
      },
      {
        auth: ['team_shared_creds:write'],
        body: AutoTriggerRepoAdd,
        detail: {
          operationId: 'aicaAddAutoTriggerRepo',
          tags,
          summary: 'Allow auto-dispatch for a repository',
        },
        response: { 201: AutoTriggerConfig, ...errors(400, 401, 403, 404, 409) },
      },
    )
    .put(
      '/auto-trigger-repos/label',
      async ({ principal, body }) =>
        setTriggerLabel(deps, principal, await workspaceOf(deps, principal, body.workspace), body.label),
      {
        auth: ['team_shared_creds:write'],
        body: TriggerLabelSet,
        detail: {
          operationId: 'aicaSetTriggerLabel',
          tags,
          summary: 'The label that triggers auto-dispatch',
        },
        response: { 200: AutoTriggerConfig, ...errors(400, 401, 403, 404) },
      },
    )
    .put(
      '/auto-trigger-repos/:owner/:repo',
      async ({ principal, params, body }) =>
        setTriggerFrom(
          deps,
          await workspaceOf(deps, principal, body.workspace),
          `${params.owner}/${params.repo}`,
          body.triggerFrom,
        ),
      {
        auth: ['team_shared_creds:write'],
        params: AutoTriggerRepoParams,
        body: AutoTriggerRepoSet,
        detail: {
          operationId: 'aicaSetAutoTriggerFrom',
          tags,
          summary: 'Who may trigger auto-dispatch on an allowlisted repository',
        },
        response: { 200: AutoTriggerConfig, ...errors(400, 401, 403, 404) },
      },
    )
    .delete(
      '/auto-trigger-repos/:owner/:repo',
      async ({ principal, params, query, set }) => {
        await removeTriggerRepo(
          deps,
          await workspaceOf(deps, principal, query.workspace),
          `${params.owner}/${params.repo}`,
        )
        set.status = 204
      },
      {
        auth: ['team_shared_creds:write'],
        params: AutoTriggerRepoParams,
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaRemoveAutoTriggerRepo',
          tags,
          summary: 'Remove a repository from the allowlist',
        },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
    .get(
      '/team-shared-creds',
      async ({ principal, query }) =>
        getSharedCreds(deps, await workspaceOf(deps, principal, query.workspace)),
      {
        auth: ['team_shared_creds:read'],
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaGetSharedCreds',
          tags,
          summary: 'Shared provider credentials: hasKey and metadata only',
        },
        response: { 200: SharedCreds, ...errors(400, 401, 403, 404) },
      },
    )
    .put(
      '/team-shared-creds',
      async ({ principal, body }) =>
        setSharedCreds(deps, principal, await workspaceOf(deps, principal, body.workspace), body),
      {
        auth: ['team_shared_creds:write'],
        body: SharedCredsSet,
        detail: {
          operationId: 'aicaSetSharedCreds',
          tags,
          summary: 'Store shared provider credentials (AES-256-GCM at rest)',
        },
        response: { 200: SharedCreds, ...errors(400, 401, 403, 404) },
      },
    )
    .delete(
      '/team-shared-creds',
      async ({ principal, query, set }) => {
        await deleteSharedCreds(deps, await workspaceOf(deps, principal, query.workspace))
        set.status = 204
      },
      {
        auth: ['team_shared_creds:write'],
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaDeleteSharedCreds',
          tags,
          summary: 'Forget the shared provider credentials',
        },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
    .get(
      '/aica/egress',
      async ({ principal, query }) =>
        egressSettings(deps, await workspaceOf(deps, principal, query.workspace)),
      {
        auth: ['aica:read'],
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaGetEgress',
          tags,
          summary: "Hosts the workspace's agents may reach over HTTPS (within the runner operator's list)",
        },
        response: { 200: EgressSettings, ...errors(400, 401, 403, 404) },
      },
    )
    .put(
      '/aica/egress',
      async ({ principal, body }) =>
        setEgressHosts(deps, principal, await workspaceOf(deps, principal, body.workspace), body.hosts),
      {
        auth: ['team_shared_creds:write'],
        body: EgressSettingsSet,
        detail: {
          operationId: 'aicaSetEgress',
          tags,
          summary: "Replace the workspace's egress allowlist (admins)",
        },
        response: { 200: EgressSettings, ...errors(400, 401, 403, 404) },
      },
    )
}
