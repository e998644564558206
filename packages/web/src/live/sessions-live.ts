import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { sessionKeys } from '../data/agent-sessions'
import { resilientSocket, wsUrl } from './socket'

export type Usage = { inputTokens: number; outputTokens: number; costUsd: number }
type Message =
  | { type: 'thread'; thread: { status: string } }
  | { type: 'item'; item: { seq: number; body: { kind: string } & Partial<Usage> } }

/**
 * Follows the inbox's unfinished threads over their realtime sockets (read-only, `?role=viewer`): a status item
 * refetches the inbox so the row moves to its new group, and usage items add up to each thread's usage so far.
 * Finished threads have no socket; their rows change only when they start again, which a refetch shows.
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
