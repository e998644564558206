import {
  Invite,
  InviteCreate,
  InvitePage,
  LoginParam,
  User,
  UserPage,
  UserPatch,
} from '@bosun/contracts/auth'
import { errors } from '@bosun/contracts/errors'
import { PageQuery } from '@bosun/contracts/pagination'
import { authPlugin } from '@bosun/service-kit/auth-guard'
import { paginate } from '@bosun/service-kit/paging'
import { Elysia, t } from 'elysia'
import type { AuthDeps } from '../deps'
import { createInvite, deleteInvite, listInvites, listUsers, setRole } from './service'

const ListQuery = t.Object(PageQuery)

export function userRoutes(deps: AuthDeps) {
  return new Elysia({ prefix: '/api/auth' })
    .use(authPlugin(deps.guard))
    .get('/invites', async ({ query }) => paginate(await listInvites(deps.database), query), {
      auth: ['users:admin'],
      query: ListQuery,
      detail: { operationId: 'authListInvites', tags: ['auth'], summary: 'Pending invitations' },
      response: { 200: InvitePage, ...errors(400, 401, 403) },
    })
    .post(
      '/invites',
      async ({ body, principal, set }) => {
        set.status = 201
        return createInvite(deps.database, body.login, body.role ?? 'member', principal.login)
      },
      {
        auth: ['users:admin'],
        body: InviteCreate,
        detail: { operationId: 'authCreateInvite', tags: ['auth'], summary: 'Invite a GitHub login' },
        response: { 201: Invite, ...errors(400, 401, 403) },
      },
    )
    .delete(
      '/invites/:login',
      async ({ params, set }) => {
        await deleteInvite(deps.database, params.login)
        set.status = 204
      },
      {
        auth: ['users:admin'],
        params: LoginParam,
        detail: { operationId: 'authDeleteInvite', tags: ['auth'], summary: 'Withdraw an invitation' },
        response: { 204: t.Void({ description: 'Withdrawn' }), ...errors(401, 403, 404) },
      },
    )
    .get('/users', async ({ query }) => paginate(await listUsers(deps.database), query), {
      auth: ['users:admin'],
      query: ListQuery,
      detail: { operationId: 'authListUsers', tags: ['auth'], summary: 'Users who have signed in' },
      response: { 200: UserPage, ...errors(400, 401, 403) },
    })
    .patch('/users/:login', ({ params, body }) => setRole(deps.database, deps.bus, params.login, body.role), {
      auth: ['users:admin'],
      params: LoginParam,
      body: UserPatch,
      detail: { operationId: 'authSetUserRole', tags: ['auth'], summary: "Change a user's role" },
      response: { 200: User, ...errors(400, 401, 403, 404) },
    })
}
