import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { aica } from '../api/clients'
import { unwrap } from '../api/errors'
import { aicaKeys } from './aica'

export const sessionKeys = {
  worktree: (wtId: string) => [...aicaKeys.all, 'worktree', wtId] as const,
}

/** The thread with its first items; the live socket takes it from there. */
const fetchSnapshot = (id: string) =>
  unwrap(aica.GET('/api/agent-sessions/{id}', { params: { path: { id }, query: { limit: 1000 } } }))
export type SessionSnapshot = Awaited<ReturnType<typeof fetchSnapshot>>
export type Thread = SessionSnapshot['thread']
export type Worktree = SessionSnapshot['worktree']
export type Item = SessionSnapshot['items'][number]

export const useSessionSnapshot = (id: string) =>
  useQuery({
    queryKey: aicaKeys.thread(id),
    queryFn: () => fetchSnapshot(id),
    retry: false,
    // The live socket keeps the page current from here; a refetch would only restart it.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  })

const fetchWorktree = (wtId: string) =>
  unwrap(aica.GET('/api/worktrees/{wtId}', { params: { path: { wtId } } }))
export const useWorktree = (wtId: string) =>
  useQuery({ queryKey: sessionKeys.worktree(wtId), queryFn: () => fetchWorktree(wtId) })

/** A write on a thread or worktree; the worktree panel is refreshed after it (the thread is live). */
function useSessionWrite<V, R>(wtId: string, write: (v: V) => Promise<R>) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: write,
    onSettled: () => qc.invalidateQueries({ queryKey: sessionKeys.worktree(wtId) }),
  })
}

const path = (id: string) => ({ params: { path: { id } } })

export const usePrompt = (wtId: string, id: string) =>
  useSessionWrite(wtId, (text: string) =>
    unwrap(aica.POST('/api/agent-sessions/{id}/prompt', { ...path(id), body: { text } })),
  )
export const useStop = (wtId: string, id: string) =>
  useSessionWrite(wtId, () => unwrap(aica.POST('/api/agent-sessions/{id}/stop', path(id))))
export const useRetry = (wtId: string, id: string) =>
  useSessionWrite(wtId, () => unwrap(aica.POST('/api/agent-sessions/{id}/retry', { ...path(id), body: {} })))
export const useReview = (wtId: string, id: string) =>
  useSessionWrite(wtId, (body: { approved: boolean; draft?: boolean }) =>
    unwrap(aica.POST('/api/agent-sessions/{id}/review', { ...path(id), body })),
  )
export const useRequestChanges = (wtId: string, id: string) =>
  useSessionWrite(wtId, (comment: string) =>
    unwrap(aica.POST('/api/agent-sessions/{id}/request-changes', { ...path(id), body: { comment } })),
  )
export const useArchive = (wtId: string, id: string) =>
  useSessionWrite(wtId, () => unwrap(aica.POST('/api/agent-sessions/{id}/archive', path(id))))
export const useFork = (wtId: string, id: string) =>
  useSessionWrite(wtId, (itemId: string) =>
    unwrap(aica.POST('/api/agent-sessions/{id}/fork', { ...path(id), body: { itemId } })),
  )
export const useApplyDraft = (id: string) =>
  useMutation({
    mutationFn: (itemId: string) =>
      unwrap(
        aica.POST('/api/agent-sessions/{id}/apply-draft/{itemId}', { params: { path: { id, itemId } } }),
      ),
  })
export const useSetVisibility = (wtId: string) =>
  useSessionWrite(wtId, (visibility: 'personal' | 'team') =>
    unwrap(
      aica.POST('/api/worktrees/{wtId}/visibility', { params: { path: { wtId } }, body: { visibility } }),
    ),
  )
export const useAttachThread = (wtId: string) =>
  useSessionWrite(wtId, (prompt: string) =>
    unwrap(aica.POST('/api/worktrees/{wtId}/threads', { params: { path: { wtId } }, body: { prompt } })),
  )
export const useCloneWorktree = (wtId: string) =>
  useSessionWrite(wtId, (prompt: string) =>
    unwrap(aica.POST('/api/worktrees/{wtId}/clone', { params: { path: { wtId } }, body: { prompt } })),
  )

/** The detail page's address of a thread. */
export const sessionHref = (t: { worktreeId: string; id: string }) =>
  `/agent-sessions/worktrees/${encodeURIComponent(t.worktreeId)}/threads/${encodeURIComponent(t.id)}`

/** A person's answer to the agent's permission request; 409 when someone answered first. */
export const useAnswerPermission = (id: string) =>
  useMutation({
    mutationFn: (v: { requestId: string; decision: 'once' | 'always' | 'reject' }) =>
      unwrap(
        aica.POST('/api/agent-sessions/{id}/permissions/{requestId}', {
          params: { path: { id, requestId: v.requestId } },
          body: { decision: v.decision },
        }),
      ),
  })
export const useAnswerQuestion = (id: string) =>
  useMutation({
    mutationFn: (v: { requestId: string; answer: string }) =>
      unwrap(
        aica.POST('/api/agent-sessions/{id}/questions/{requestId}/answer', {
          params: { path: { id, requestId: v.requestId } },
          body: { answer: v.answer },
        }),
      ),
  })
export const useAutoApprove = (id: string) =>
  useMutation({
    mutationFn: (on: boolean) =>
      unwrap(aica.POST('/api/agent-sessions/{id}/auto-approve', { ...path(id), body: { on } })),
  })
