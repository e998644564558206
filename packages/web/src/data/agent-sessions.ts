import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { aica } from '../api/clients'
import { unwrap } from '../api/errors'
import { aicaKeys } from './aica'

export type ThreadListParams = {
  workspace: string
  who: 'me' | 'all'
  worktreeId?: string
  repo?: string
  status?: ThreadStatus
  cursor?: string
}

export const THREAD_STATUSES = [
  'queued',
  'starting',
  'running',
  'idle',
  'waiting_permission',
  'waiting_answer',
  'completed',
  'failed',
  'stopped',
  'archived',
  'awaiting_review',
  'publishing',
  'published',
  'merge_failed',
  'declined',
] as const
export type ThreadStatus = (typeof THREAD_STATUSES)[number]

/** Statuses the inbox shows as "running"; everything not waiting on a person and not running is "done". */
export const RUNNING: readonly string[] = ['queued', 'starting', 'running', 'publishing']
/** Statuses where the agent waits on a person: a review decision, or a publication that failed. */
export const NEEDS_YOU: readonly string[] = [
  'waiting_permission',
  'waiting_answer',
  'awaiting_review',
  'merge_failed',
]

export const sessionKeys = {
  threads: (p: ThreadListParams) => [...aicaKeys.workspace(p.workspace), 'threads', p] as const,
  allThreads: (ws: string) => [...aicaKeys.workspace(ws), 'threads'] as const,
}

const fetchThreads = (p: ThreadListParams) =>
  unwrap(
    aica.GET('/api/agent-sessions', {
      params: {
        query: {
          workspace: p.workspace,
          userId: p.who,
          worktreeId: p.worktreeId,
          repo: p.repo,
          status: p.status,
          cursor: p.cursor,
          page_size: 50,
        },
      },
    }),
  )
export type ThreadPage = Awaited<ReturnType<typeof fetchThreads>>
export type ThreadRow = ThreadPage['results'][number]

export const useThreads = (p: ThreadListParams) =>
  useQuery({
    queryKey: sessionKeys.threads(p),
    queryFn: () => fetchThreads(p),
    placeholderData: keepPreviousData,
  })

export type DispatchBody = {
  workspace: string
  repo?: string
  ref?: string
  prompt: string
  agent?: string
  model?: string
  provider?: string
  visibility?: 'personal' | 'team'
  extraEnv?: Record<string, string>
}

/** Starts an agent in a fresh worktree; the answer holds the thread and its worktree (the detail URL's two ids). */
export const useStartSession = (ws: string) => {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (b: DispatchBody) => unwrap(aica.POST('/api/agent-sessions', { body: b })),
    onSuccess: () => qc.invalidateQueries({ queryKey: sessionKeys.allThreads(ws) }),
  })
}

/** The session page of a thread. */
export const sessionPath = (t: { worktreeId: string; id: string }) =>
  `/agent-sessions/worktrees/${t.worktreeId}/threads/${t.id}`
