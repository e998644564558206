import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { Thread } from '../data/agent-session'
import { sessionKeys, type ThreadPage } from '../data/agent-sessions'
import { resilientSocket, wsUrl } from './socket'

type FeedMessage =
  | { type: 'status'; threadId: string }
  | { type: 'summary'; threadId: string; changes: Thread['changes']; usage: Thread['usage'] }

/**
 * Keeps the inbox current from aica's workspace feed: a status change (a new thread included) reads the list
 * again; a summary (line counts, usage) patches the thread in the cached pages. After a reconnect the list is
 * read again, since the feed replays nothing.
 */
export function useThreadStatusFeed(workspace: string) {
  const qc = useQueryClient()
  useEffect(() => {
    const key = sessionKeys.allThreads(workspace)
    const refetch = () => qc.invalidateQueries({ queryKey: key })
    let opened = 0
    const socket = resilientSocket({
      url: () => wsUrl(`/api/aica/threads/realtime?workspace=${encodeURIComponent(workspace)}`),
      onOpen: () => {
        if (opened++ > 0) void refetch()
      },
      onMessage: (raw) => {
        const msg = raw as FeedMessage
        if (msg.type === 'status') void refetch()
        if (msg.type === 'summary')
          qc.setQueriesData<ThreadPage>({ queryKey: key }, (page) =>
            page
              ? {
                  ...page,
                  results: page.results.map((t) =>
                    t.id === msg.threadId ? { ...t, changes: msg.changes, usage: msg.usage } : t,
                  ),
                }
              : page,
          )
      },
    })
    return () => socket.close()
  }, [workspace, qc])
}

/**
 * Follows the inbox's unfinished threads over their realtime sockets (read-only, `?role=viewer`): a status change
 * there reads the inbox again, in case the workspace feed dropped one.
 */
export function useSessionsLive(workspace: string, threads: { id: string; status: string }[]) {
  const qc = useQueryClient()
  const ids = threads.map((t) => `${t.id}:${t.status}`).join(',')
  useEffect(() => {
    const known = new Map(ids ? ids.split(',').map((s) => s.split(':') as [string, string]) : [])
    const refetch = () => qc.invalidateQueries({ queryKey: sessionKeys.allThreads(workspace) })
    const sockets = [...known].map(([id, status]) => {
      let seq = 0
      return resilientSocket({
        url: () => wsUrl(`/api/agent-sessions/${id}/realtime?role=viewer&since=${seq}`),
        onMessage: (raw) => {
          const msg = raw as
            | { type: 'thread'; thread: { status: string } }
            | { type: 'item'; item: { seq: number; body: { kind: string } } }
          if (msg.type === 'thread') {
            if (msg.thread.status !== status) void refetch()
            return
          }
          if (msg.type !== 'item' || msg.item.seq <= seq) return
          seq = msg.item.seq
          if (msg.item.body.kind === 'status') void refetch()
        },
      })
    })
    return () => {
      for (const s of sockets) s.close()
    }
  }, [ids, workspace, qc])
}
