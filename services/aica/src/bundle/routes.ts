import {
  BundleItem,
  BundleItemCreate,
  BundleItemParams,
  BundleItemUpdate,
  BundleKindParams,
  BundleList,
  WorkspaceQuery,
} from '@bosun/contracts/bundle'
import { errors } from '@bosun/contracts/errors'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { Elysia, t } from 'elysia'
import type { AicaDeps } from '../deps'
import {
  bundleWorkspace,
  createBundleItem,
  deleteBundleItem,
  getBundleItem,
  listBundle,
  updateBundleItem,
} from './service'

const tags = ['aica-bundle']

/** `/api/aica/bundle/{files,skills,commands,agents}`: per workspace (`?workspace=` or body `workspace`). */
export function bundleRoutes(deps: AicaDeps) {
  return new Elysia({ prefix: '/api/aica/bundle' })
    .use(authPlugin(deps.guard))
    .get(
      '/:kind',
      async ({ principal, params, query }) =>
        listBundle(deps, await bundleWorkspace(deps, principal, query.workspace), params.kind),
      {
        auth: ['team_bundle:read'],
        params: BundleKindParams,
        query: WorkspaceQuery,
        detail: {
          operationId: 'aicaListBundle',
          tags,
          summary: 'Bundle items of a kind, with the bundle digest',
        },
        response: { 200: BundleList, ...errors(400, 401, 403, 404) },
      },
    )
    .get(
      '/:kind/:name',
      async ({ principal, params, query }) =>
        getBundleItem(
          deps,
          await bundleWorkspace(deps, principal, query.workspace),
          params.kind,
          params.name,
        ),
      {
        auth: ['team_bundle:read'],
        params: BundleItemParams,
        query: WorkspaceQuery,
        detail: { operationId: 'aicaGetBundleItem', tags, summary: 'One bundle item' },
        response: { 200: BundleItem, ...errors(400, 401, 403, 404) },
      },
    )
    .post(
      '/:kind',
      async ({ principal, params, body, set }) => {
        const ws = await bundleWorkspace(deps, principal, body.workspace)
        set.status = 201
        return createBundleItem(deps, principal, ws, params.kind, body)
      },
      {
        auth: ['team_bundle:write'],
        params: BundleKindParams,
        body: BundleItemCreate,
        detail: { operationId: 'aicaCreateBundleItem', tags, summary: 'Add a bundle item (version 1)' },
        response: { 201: BundleItem, ...errors(400, 401, 403, 404, 409, 413) },
      },
    )
    .put(
      '/:kind/:name',
      async ({ principal, params, body }) => {
        const ws = await bundleWorkspace(deps, principal, body.workspace)
        return updateBundleItem(deps, principal, ws, params.kind, params.name, body)
      },
      {
        auth: ['team_bundle:write'],
        params: BundleItemParams,
        body: BundleItemUpdate,
        detail: {
          operationId: 'aicaUpdateBundleItem',
          tags,
          summary: 'Replace a bundle item (next version)',
        },
        response: { 200: BundleItem, ...errors(400, 401, 403, 404, 409, 413) },
      },
    )
    .delete(
      '/:kind/:name',
      async ({ principal, params, query, set }) => {
        await deleteBundleItem(
          deps,
          await bundleWorkspace(deps, principal, query.workspace),
          params.kind,
          params.name,
        )
        set.status = 204
      },
      {
        auth: ['team_bundle:write'],
        params: BundleItemParams,
        query: WorkspaceQuery,
        detail: { operationId: 'aicaDeleteBundleItem', tags, summary: 'Remove a bundle item' },
        response: { 204: t.Void({ description: 'Removed' }), ...errors(400, 401, 403, 404) },
      },
    )
}
