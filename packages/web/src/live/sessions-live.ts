import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { sessionKeys } from '../data/agent-sessions'
import { resilientSocket, wsUrl } from './socket'

export type Usage = { inputTokens: number; outputTokens: number; costUsd: number }
type Message =
  | { type: 'thread'; thread: { status: string } }
  | { type: 'item'; item: { seq: number; body: { kind: string } & Partial<Usage> } }

/**
 * Reads the inbox again whenever a thread of the workspace that I may see changes status (a new one included),
 * from aica's workspace feed; after a reconnect too, since the feed replays nothing.
 */
export function useThreadStatusFeed(workspace: string) {
  const qc = useQueryClient()
  useEffect(() => {
    const refetch = () => qc.invalidateQueries({ queryKey: sessionKeys.allThreads(workspace) })
    let opened = 0
    const socket = resilientSocket({
      url: () => wsUrl(`/api/aica/threads/realtime?workspace=${encodeURIComponent(workspace)}`),
      onOpen: () => {
        if (opened++ > 0) void refetch()
      },
      onMessage: (raw) => {
        if ((raw as { type?: string }).type === 'status') void refetch()
      },
    })
    return () => socket.close()
  }, [workspace, qc])
}

/**
 * Follows the inbox's unfinished threads over their realtime sockets (read-only, `?role=viewer`) for their usage so
 * far (usage items add up); a status item there refetches the inbox too, in case the workspace feed dropped.
 */
export function useSessionsLive(workspace: string, threads: { id: string; status: string }[]) {
  const qc = useQueryClient()
  const [usage, setUsage] = useState<Record<string, Usage>>({})
  const ids = threads.map((t) => `${t.id}:${t.status}`).join(',')
  useEffect(() => {
    const known = new Map(ids ? ids.split(',').map((s) => s.split(':') as [string, string]) : [])
    const refetch = () => qc.invalidateQueries({ queryKey: sessionKeys.allThreads(workspace) })
    const sockets = [...known].map(([id, status]) => {
      const seen = { seq: 0, sums: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }
      return resilientSocket({
        url: () => wsUrl(`/api/agent-sessions/${id}/realtime?role=viewer&since=${seen.seq}`),
        onMessage: (raw) => {
          const msg = raw as Message
          if (msg.type === 'thread') {
            if (msg.thread.status !== status) void refetch()
            return
          }
          if (msg.type !== 'item' || msg.item.seq <= seen.seq) return
          seen.seq = msg.item.seq
          const body = msg.item.body
          if (body.kind === 'status') void refetch()
          if (body.kind === 'usage') {
            seen.sums = {
              inputTokens: seen.sums.inputTokens + (body.inputTokens ?? 0),
              outputTokens: seen.sums.outputTokens + (body.outputTokens ?? 0),
              costUsd: seen.sums.costUsd + (body.costUsd ?? 0),
            }
            const sums = seen.sums
            setUsage((u) => ({ ...u, [id]: sums }))
          }
        },
      })
    })
    return () => {
      for (const s of sockets) s.close()
    }
  }, [ids, workspace, qc])
  return usage
}
