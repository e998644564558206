import {
  ARTIFACT_KINDS,
  Artifact,
  ArtifactParams,
  ArtifactVersion,
  ArtifactVersionPage,
  EditRequest,
  KeyParams,
  VersionListQuery,
  VersionParams,
} from '@bosun/contracts/artifacts'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { invalid } from '@bosun/service-kit/errors'
import { Elysia, t } from 'elysia'
import type { ArtifactsDeps } from '../deps'
import { claim, edit, release } from '../editing/service'
import { startGeneration } from '../generation/service'
import { artifactByKey, getVersion, listVersions } from './service'

const tags = ['artifacts']
const Title = { issue: 'Issue', pr: 'Pr' } as const
const noun = { issue: 'issue brief', pr: 'PR decision log' } as const

/** Paths of other kinds are refused as a bad kind, not as an unknown route. */
const BadKindParams = t.Object({
  id: t.String(),
  artifactId: t.String(),
  owner: t.String(),
  repo: t.String(),
  number: t.String(),
})
const badKind = () => {
  throw invalid('The kind must be issue or pr', [{ in: 'path', path: '/kind', message: 'issue or pr' }])
}

export function artifactRoutes(deps: ArtifactsDeps) {
  let app = new Elysia({ prefix: '/api/workspaces/:id/artifacts' }).use(authPlugin(deps.guard))
  // Literal kinds: the router allows one parameter name per position, and `:artifactId` routes share it.
  for (const kind of ARTIFACT_KINDS) {
    const key = (p: { owner: string; repo: string; number: number }) => ({ ...p, kind })
    app = app
      .get(
        `/${kind}/:owner/:repo/:number`,
        ({ principal, params }) => artifactByKey(deps, principal, params.id, key(params)),
        {
          auth: ['team_artifacts:read'],
          params: KeyParams,
          detail: {
            operationId: `artifactGet${Title[kind]}`,
            tags,
            summary: `The ${noun[kind]} of ${kind === 'pr' ? 'a pull request' : 'an issue'}`,
            description:
              "404 when none exists yet, when the repository is not one of the workspace's, or for a workspace you are not in.",
          },
          response: { 200: Artifact, ...errors(400, 401, 403, 404, 503) },
        },
      )
      .post(
        `/${kind}/:owner/:repo/:number/start-generation`,
        async ({ principal, params, set }) => {
          const artifact = await startGeneration(deps, principal, params.id, key(params))
          set.status = 202
          return artifact
        },
        {
          auth: ['team_artifacts:write'],
          params: KeyParams,
          detail: {
            operationId: `artifactStartGeneration${Title[kind]}`,
            tags,
            summary: `Have an agent write the next version of the ${noun[kind]}`,
            description:
              "Creates the artifact if needed and dispatches an AICA thread as `aica:auto` on the workspace's shared credentials. 409 (details.generation) while one runs.",
          },
          response: { 202: Artifact, ...errors(400, 401, 403, 404, 409, 503) },
        },
      )
      .post(
        `/${kind}/:owner/:repo/:number/claim`,
        ({ principal, params }) => claim(deps, principal, params.id, key(params)),
        {
          auth: ['team_artifacts:write'],
          params: KeyParams,
          detail: {
            operationId: `artifactClaim${Title[kind]}`,
            tags,
            summary: `Take (or renew) the ${noun[kind]} for editing, for 10 minutes`,
            description:
              "Creates the artifact if needed. Someone else's live claim: 409 with details.claim (holder, expiry).",
          },
          response: { 200: Artifact, ...errors(400, 401, 403, 404, 409, 503) },
        },
      )
  }
  return app
    .get('/:artifactId/:owner/:repo/:number', badKind, { params: BadKindParams, detail: { hide: true } })
    .post('/:artifactId/:owner/:repo/:number/:action', badKind, {
      params: t.Object({ ...BadKindParams.properties, action: t.String() }),
      detail: { hide: true },
    })
    .get(
      '/:artifactId/versions',
      ({ principal, params, query }) => listVersions(deps, principal, params.id, params.artifactId, query),
      {
        auth: ['team_artifacts:read'],
        params: ArtifactParams,
        query: VersionListQuery,
        detail: { operationId: 'artifactVersions', tags, summary: 'The versions, newest first' },
        response: { 200: ArtifactVersionPage, ...errors(400, 401, 403, 404, 503) },
      },
    )
    .get(
      '/:artifactId/versions/:n',
      ({ principal, params }) => getVersion(deps, principal, params.id, params.artifactId, params.n),
      {
        auth: ['team_artifacts:read'],
        params: VersionParams,
        detail: { operationId: 'artifactVersion', tags, summary: 'One version, with its content' },
        response: { 200: ArtifactVersion, ...errors(400, 401, 403, 404, 503) },
      },
    )
    .post(
      '/:artifactId/release',
      ({ principal, params }) => release(deps, principal, params.id, params.artifactId),
      {
        auth: ['team_artifacts:write'],
        params: ArtifactParams,
        detail: {
          operationId: 'artifactRelease',
          tags,
          summary: 'Free the claim (its holder or an admin)',
          description: 'Without a live claim it changes nothing. Someone else: 403.',
        },
        response: { 200: Artifact, ...errors(400, 401, 403, 404, 503) },
      },
    )
    .post(
      '/:artifactId/edit',
      ({ principal, params, body }) => edit(deps, principal, params.id, params.artifactId, body),
      {
        auth: ['team_artifacts:write'],
        params: ArtifactParams,
        body: EditRequest,
        detail: {
          operationId: 'artifactEdit',
          tags,
          summary: 'Write the next version by hand',
          description:
            'Needs your claim or no live claim by anyone else (409 with details.claim), and baseVersion equal to the latest (409 with details.latest).',
        },
        response: { 200: Artifact, ...errors(400, 401, 403, 404, 409, 413, 503) },
      },
    )
}
