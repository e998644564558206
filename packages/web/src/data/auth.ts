import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { auth } from '../api/clients'
import { unwrap } from '../api/errors'

export const authKeys = {
  all: ['auth'] as const,
  session: () => [...authKeys.all, 'session'] as const,
  apiKeys: () => [...authKeys.all, 'api-keys'] as const,
  invites: () => [...authKeys.all, 'invites'] as const,
  users: () => [...authKeys.all, 'users'] as const,
}

export const sessionQuery = () =>
  queryOptions({
    queryKey: authKeys.session(),
    queryFn: () => unwrap(auth.GET('/api/auth/session')),
    staleTime: 60_000,
    retry: false,
  })
export type Session = Awaited<ReturnType<NonNullable<ReturnType<typeof sessionQuery>['queryFn']>>>
export type Scope = Session['scopes'][number]
export type Role = Session['user']['role']

export const useSession = () => useQuery(sessionQuery())
export const isAdmin = (s: Session | undefined) => s?.user.role === 'admin'
export const can = (s: Session | undefined, scope: Scope) => !!s?.scopes.includes(scope)

export function useSignOut() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(auth.POST('/api/auth/logout')),
    onSuccess: () => qc.clear(),
  })
}

/** Where "Sign in with GitHub" goes: the auth service's OAuth start, which returns to `next` afterwards. */
export const githubSignInUrl = (next: string) => `/api/auth/github?next=${encodeURIComponent(next)}`

export const useApiKeys = () =>
  useQuery({
    queryKey: authKeys.apiKeys(),
    queryFn: () => unwrap(auth.GET('/api/auth/api-keys', { params: { query: { page_size: 200 } } })),
  })
export type ApiKey = NonNullable<ReturnType<typeof useApiKeys>['data']>['results'][number]

const invalidating = (qc: QueryClient, key: readonly unknown[]) => () =>
  qc.invalidateQueries({ queryKey: key })

export function useCreateApiKey() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: { name: string; scopes: Scope[]; expiresInDays?: number }) =>
      unwrap(auth.POST('/api/auth/api-keys', { body })),
    onSuccess: invalidating(qc, authKeys.apiKeys()),
  })
}

export function useRevokeApiKey() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => unwrap(auth.DELETE('/api/auth/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: invalidating(qc, authKeys.apiKeys()),
  })
}

export const useInvites = (enabled: boolean) =>
  useQuery({
    queryKey: authKeys.invites(),
    queryFn: () => unwrap(auth.GET('/api/auth/invites', { params: { query: { page_size: 200 } } })),
    enabled,
  })

export function useCreateInvite() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: { login: string; role: Role }) => unwrap(auth.POST('/api/auth/invites', { body })),
    onSuccess: invalidating(qc, authKeys.invites()),
  })
}

export function useRevokeInvite() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (login: string) =>
      unwrap(auth.DELETE('/api/auth/invites/{login}', { params: { path: { login } } })),
    onSuccess: invalidating(qc, authKeys.invites()),
  })
}

export const useUsers = (enabled: boolean) =>
  useQuery({
    queryKey: authKeys.users(),
    queryFn: () => unwrap(auth.GET('/api/auth/users', { params: { query: { page_size: 200 } } })),
    enabled,
  })

export function useSetRole() {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ login, role }: { login: string; role: Role }) =>
      unwrap(auth.PATCH('/api/auth/users/{login}', { params: { path: { login } }, body: { role } })),
    onSuccess: invalidating(qc, authKeys.users()),
  })
}
