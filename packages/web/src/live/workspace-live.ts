import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { type Snapshot, workspaceKeys } from '../data/workspace'
import { resilientSocket, wsUrl } from './socket'
import { applyChange, type Change } from './workspace-changes'

type Message =
  | { type: 'snapshot'; seq: number; snapshot: Snapshot }
  | { type: 'event'; seq: number; event: Change }

/**
 * Keeps the workspace snapshot in the query cache current from `/api/workspaces/:id/realtime`: the first
 * snapshot fills it, each change patches it, and a reconnect resumes with `?since=` the last applied sequence
 * number, so nothing is missed and nothing applied twice.
 */
export function useWorkspaceLive(id: string) {
  const qc = useQueryClient()
  useEffect(() => {
    const key = workspaceKeys.snapshot(id)
    const current = () => qc.getQueryData<Snapshot>(key)
    const socket = resilientSocket({
      url: () => {
        const seq = current()?.seq
        return wsUrl(
          `/api/workspaces/${encodeURIComponent(id)}/realtime${seq === undefined ? '' : `?since=${seq}`}`,
        )
      },
      onMessage: (raw) => {
        const msg = raw as Message
        if (msg.type === 'snapshot') {
          qc.setQueryData(key, msg.snapshot)
          return
        }
        const snapshot = current()
        if (msg.type !== 'event' || !snapshot || msg.seq <= Number(snapshot.seq)) return
        qc.setQueryData(key, applyChange(snapshot, msg.event))
      },
    })
    ;(window as unknown as { __bosunWorkspaceSocket?: typeof socket }).__bosunWorkspaceSocket = socket
    return () => socket.close()
  }, [id, qc])
}
