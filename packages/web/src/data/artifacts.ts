import type { ArtifactKind, ArtifactLive } from '@bosun/contracts/artifacts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { artifacts } from '../api/clients'
import { ApiError, unwrap } from '../api/errors'
import { resilientSocket, wsUrl } from '../live/socket'

export type { ArtifactKind }
export type ArtifactRef = {
  workspace: string
  kind: ArtifactKind
  owner: string
  repo: string
  number: number
}

/** Every query key of the artifacts area. */
export const artifactKeys = {
  all: (ws: string) => ['artifacts', ws] as const,
  byKey: (r: ArtifactRef) =>
    ['artifacts', r.workspace, 'key', r.kind, r.owner.toLowerCase(), r.repo.toLowerCase(), r.number] as const,
  versions: (ws: string, id: string) => ['artifacts', ws, 'versions', id] as const,
  version: (ws: string, id: string, n: number) => ['artifacts', ws, 'version', id, n] as const,
}

const keyPath = (r: ArtifactRef) => ({
  params: { path: { id: r.workspace, owner: r.owner, repo: r.repo, number: r.number } },
})
const idPath = (ws: string, artifactId: string) => ({ params: { path: { id: ws, artifactId } } })

const getByKey = (r: ArtifactRef) =>
  unwrap(
    r.kind === 'issue'
      ? artifacts.GET('/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}', keyPath(r))
      : artifacts.GET('/api/workspaces/{id}/artifacts/pr/{owner}/{repo}/{number}', keyPath(r)),
  )
export type Artifact = Awaited<ReturnType<typeof getByKey>>

/** The artifact of an issue or PR; null while none exists (404 for the artifact, not for the repository). */
export function useArtifact(r: ArtifactRef) {
  return useQuery({
    queryKey: artifactKeys.byKey(r),
    queryFn: async (): Promise<Artifact | null> => {
      try {
        return await getByKey(r)
      } catch (err) {
        if (err instanceof ApiError && err.status === 404 && err.message.startsWith('Artifact')) return null
        throw err
      }
    },
  })
}

export function useVersions(ws: string, artifactId: string | undefined) {
  return useQuery({
    queryKey: artifactKeys.versions(ws, artifactId ?? ''),
    enabled: artifactId !== undefined,
    queryFn: () =>
      unwrap(
        artifacts.GET('/api/workspaces/{id}/artifacts/{artifactId}/versions', {
          params: { path: { id: ws, artifactId: artifactId! }, query: { page_size: 200 } },
        }),
      ),
  })
}

export function useVersion(ws: string, artifactId: string | undefined, n: number | undefined) {
  return useQuery({
    queryKey: artifactKeys.version(ws, artifactId ?? '', n ?? 0),
    enabled: artifactId !== undefined && n !== undefined && n > 0,
    // A version never changes once written.
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () =>
      unwrap(
        artifacts.GET('/api/workspaces/{id}/artifacts/{artifactId}/versions/{n}', {
          params: { path: { id: ws, artifactId: artifactId!, n: n! } },
        }),
      ),
  })
}

/** Generate, claim, release and edit; each answer is the artifact as it is now, put in the cache. */
export function useArtifactActions(r: ArtifactRef) {
  const qc = useQueryClient()
  const settle = (a: Artifact) => {
    qc.setQueryData(artifactKeys.byKey(r), a)
    void qc.invalidateQueries({ queryKey: artifactKeys.versions(r.workspace, a.id) })
  }
  return {
    generate: useMutation({
      mutationFn: () =>
        unwrap(
          r.kind === 'issue'
            ? artifacts.POST(
                '/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/start-generation',
                keyPath(r),
              )
            : artifacts.POST(
                '/api/workspaces/{id}/artifacts/pr/{owner}/{repo}/{number}/start-generation',
                keyPath(r),
              ),
        ),
      onSuccess: settle,
    }),
    claim: useMutation({
      mutationFn: () =>
        unwrap(
          r.kind === 'issue'
            ? artifacts.POST('/api/workspaces/{id}/artifacts/issue/{owner}/{repo}/{number}/claim', keyPath(r))
            : artifacts.POST('/api/workspaces/{id}/artifacts/pr/{owner}/{repo}/{number}/claim', keyPath(r)),
        ),
      onSuccess: settle,
    }),
    release: useMutation({
      mutationFn: (artifactId: string) =>
        unwrap(
          artifacts.POST(
            '/api/workspaces/{id}/artifacts/{artifactId}/release',
            idPath(r.workspace, artifactId),
          ),
        ),
      onSuccess: settle,
    }),
    edit: useMutation({
      mutationFn: (v: { artifactId: string; content: string; baseVersion: number }) =>
        unwrap(
          artifacts.POST('/api/workspaces/{id}/artifacts/{artifactId}/edit', {
            ...idPath(r.workspace, v.artifactId),
            body: { content: v.content, baseVersion: v.baseVersion },
          }),
        ),
      onSuccess: settle,
    }),
  }
}

/** Frees a claim when the page goes away; `keepalive` lets the request outlive a closing tab. */
export const releaseOnLeave = (ws: string, artifactId: string) =>
  fetch(`/api/workspaces/${encodeURIComponent(ws)}/artifacts/${encodeURIComponent(artifactId)}/release`, {
    method: 'POST',
    credentials: 'include',
    keepalive: true,
  }).catch(() => {})

/**
 * Keeps the workspace's artifacts in the cache current from `/api/workspaces/:id/artifacts/live`: each message
 * is a whole artifact. The socket has no resume, so a (re)connect refetches what is shown.
 */
export function useArtifactsLive(ws: string) {
  const qc = useQueryClient()
  useEffect(() => {
    const socket = resilientSocket({
      url: () => wsUrl(`/api/workspaces/${encodeURIComponent(ws)}/artifacts/live`),
      onOpen: () => void qc.invalidateQueries({ queryKey: artifactKeys.all(ws) }),
      onMessage: (raw) => {
        const msg = raw as ArtifactLive
        if (msg?.type !== 'artifact') return
        const a = msg.artifact
        qc.setQueryData(artifactKeys.byKey({ workspace: ws, ...a.key }), a)
        void qc.invalidateQueries({ queryKey: artifactKeys.versions(ws, a.id) })
      },
    })
    return () => socket.close()
  }, [ws, qc])
}
