import { ArtifactSettings, WorkspaceParams } from '@bosun/contracts/artifacts'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { ArtifactsDeps } from '../deps'
import { readSettings, writeSettings } from './service'

export function settingsRoutes(deps: ArtifactsDeps) {
  return new Elysia({ prefix: '/api/workspaces/:id/artifacts' })
    .use(authPlugin(deps.guard))
    .get('/settings', ({ principal, params }) => readSettings(deps, principal, params.id), {
      auth: ['team_artifacts:read'],
      params: WorkspaceParams,
      detail: {
        operationId: 'artifactSettings',
        tags: ['artifacts'],
        summary: "The workspace's artifact settings",
      },
      response: { 200: ArtifactSettings, ...errors(400, 401, 403, 404, 503) },
    })
    .put('/settings', ({ principal, params, body }) => writeSettings(deps, principal, params.id, body), {
      auth: ['team_artifacts:write'],
      params: WorkspaceParams,
      body: ArtifactSettings,
      detail: {
        operationId: 'artifactSettingsSet',
        tags: ['artifacts'],
        summary: 'Set whether stale artifacts regenerate automatically',
      },
      response: { 200: ArtifactSettings, ...errors(400, 401, 403, 404, 503) },
    })
}
