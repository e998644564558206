import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { aica } from '../api/clients'
import { unwrap } from '../api/errors'

export const BUNDLE_KINDS = ['files', 'skills', 'commands', 'agents'] as const
export type BundleKind = (typeof BUNDLE_KINDS)[number]
export const PROVIDER_KINDS = ['openai', 'anthropic', 'openrouter', 'openai-compatible'] as const
export type ProviderKind = (typeof PROVIDER_KINDS)[number]

export const aicaKeys = {
  all: ['aica'] as const,
  workspace: (ws: string) => [...aicaKeys.all, ws] as const,
  bundle: (ws: string, kind: BundleKind) => [...aicaKeys.workspace(ws), 'bundle', kind] as const,
  autoTrigger: (ws: string) => [...aicaKeys.workspace(ws), 'auto-trigger'] as const,
  sharedCreds: (ws: string) => [...aicaKeys.workspace(ws), 'shared-creds'] as const,
  egress: (ws: string) => [...aicaKeys.workspace(ws), 'egress'] as const,
  thread: (id: string) => [...aicaKeys.all, 'thread', id] as const,
}

const fetchBundle = (workspace: string, kind: BundleKind) =>
  unwrap(aica.GET('/api/aica/bundle/{kind}', { params: { path: { kind }, query: { workspace } } }))
export type BundleList = Awaited<ReturnType<typeof fetchBundle>>
export type BundleItem = BundleList['items'][number]

export const useBundle = (ws: string, kind: BundleKind) =>
  useQuery({ queryKey: aicaKeys.bundle(ws, kind), queryFn: () => fetchBundle(ws, kind) })

function useBundleWrite<V, R>(ws: string, kind: BundleKind, write: (v: V) => Promise<R>) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: write,
    onSettled: () => qc.invalidateQueries({ queryKey: aicaKeys.bundle(ws, kind) }),
  })
}

export const useCreateBundleItem = (ws: string, kind: BundleKind) =>
  useBundleWrite(ws, kind, (b: { name: string; path?: string; content: string }) =>
    unwrap(
      aica.POST('/api/aica/bundle/{kind}', { params: { path: { kind } }, body: { ...b, workspace: ws } }),
    ),
  )
/** `version` is the one the editor opened; another write in between makes this a 409. */
export const useUpdateBundleItem = (ws: string, kind: BundleKind) =>
  useBundleWrite(ws, kind, (b: { name: string; content: string; version: number; path?: string }) =>
    unwrap(
      aica.PUT('/api/aica/bundle/{kind}/{name}', {
        params: { path: { kind, name: b.name } },
        body: { workspace: ws, content: b.content, version: b.version, path: b.path },
      }),
    ),
  )
export const useDeleteBundleItem = (ws: string, kind: BundleKind) =>
  useBundleWrite(ws, kind, (name: string) =>
    unwrap(
      aica.DELETE('/api/aica/bundle/{kind}/{name}', {
        params: { path: { kind, name }, query: { workspace: ws } },
      }),
    ),
  )

const fetchThread = (id: string) => unwrap(aica.GET('/api/agent-sessions/{id}', { params: { path: { id } } }))
export type ThreadSnapshot = Awaited<ReturnType<typeof fetchThread>>
export const useThread = (id: string) =>
  useQuery({ queryKey: aicaKeys.thread(id), queryFn: () => fetchThread(id) })

const fetchAutoTrigger = (workspace: string) =>
  unwrap(aica.GET('/api/auto-trigger-repos', { params: { query: { workspace } } }))
export const useAutoTrigger = (ws: string) =>
  useQuery({ queryKey: aicaKeys.autoTrigger(ws), queryFn: () => fetchAutoTrigger(ws) })

function useAdminWrite<V>(key: readonly unknown[], write: (v: V) => Promise<unknown>) {
  const qc = useQueryClient()
  return useMutation({ mutationFn: write, onSuccess: () => qc.invalidateQueries({ queryKey: key }) })
}

export const useAddAutoTrigger = (ws: string) =>
  useAdminWrite(aicaKeys.autoTrigger(ws), (repo: string) =>
    unwrap(aica.POST('/api/auto-trigger-repos', { body: { workspace: ws, repo } })),
  )
export const useRemoveAutoTrigger = (ws: string) =>
  useAdminWrite(aicaKeys.autoTrigger(ws), (fullName: string) => {
    const [owner = '', repo = ''] = fullName.split('/')
    return unwrap(
      aica.DELETE('/api/auto-trigger-repos/{owner}/{repo}', {
        params: { path: { owner, repo }, query: { workspace: ws } },
      }),
    )
  })
export const useSetTriggerLabel = (ws: string) =>
  useAdminWrite(aicaKeys.autoTrigger(ws), (label: string) =>
    unwrap(aica.PUT('/api/auto-trigger-repos/label', { body: { workspace: ws, label } })),
  )

const fetchEgress = (workspace: string) =>
  unwrap(aica.GET('/api/aica/egress', { params: { query: { workspace } } }))
export const useEgress = (ws: string) =>
  useQuery({ queryKey: aicaKeys.egress(ws), queryFn: () => fetchEgress(ws) })
/** Replaces the whole list (admins); the server lower-cases, dedupes and sorts it. */
export const useSetEgress = (ws: string) =>
  useAdminWrite(aicaKeys.egress(ws), (hosts: string[]) =>
    unwrap(aica.PUT('/api/aica/egress', { body: { workspace: ws, hosts } })),
  )

const fetchSharedCreds = (workspace: string) =>
  unwrap(aica.GET('/api/team-shared-creds', { params: { query: { workspace } } }))
export type SharedCreds = Awaited<ReturnType<typeof fetchSharedCreds>>
export const useSharedCreds = (ws: string) =>
  useQuery({ queryKey: aicaKeys.sharedCreds(ws), queryFn: () => fetchSharedCreds(ws) })

export type CredsInput = { kind: ProviderKind; apiKey: string; baseURL?: string; model?: string }

/** Checks the key with the provider health probe first; only a key that works is saved. */
export const useSaveSharedCreds = (ws: string) =>
  useAdminWrite(aicaKeys.sharedCreds(ws), async (c: CredsInput) => {
    const probe = await unwrap(
      aica.POST('/api/providers/health-check', {
        body: { kind: c.kind, apiKey: c.apiKey, baseURL: c.baseURL },
      }),
    )
    if (!probe.ok) throw new Error(`The provider refused the key: ${probe.message}`)
    return unwrap(aica.PUT('/api/team-shared-creds', { body: { workspace: ws, ...c } }))
  })
export const useDeleteSharedCreds = (ws: string) =>
  useAdminWrite(aicaKeys.sharedCreds(ws), () =>
    unwrap(aica.DELETE('/api/team-shared-creds', { params: { query: { workspace: ws } } })),
  )
