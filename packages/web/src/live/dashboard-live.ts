import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { dashboardKeys } from '../data/dashboard'
import { resilientSocket, wsUrl } from './socket'

/**
 * Reads the workspace's buckets again when the dashboard says they changed (`/api/dashboard/realtime`): a
 * webhook for one of its repositories, or a change of members, author records or policies. After a reconnect
 * they are read again too, since a change may have come while the socket was down.
 */
export function useDashboardLive(workspace: string) {
  const qc = useQueryClient()
  useEffect(() => {
    const refresh = () => qc.invalidateQueries({ queryKey: dashboardKeys.workspace(workspace) })
    let opened = 0
    const socket = resilientSocket({
      url: () => wsUrl(`/api/dashboard/realtime?workspace=${encodeURIComponent(workspace)}`),
      onOpen: () => {
        if (opened++) void refresh()
      },
      onMessage: (msg) => {
        if ((msg as { type?: unknown }).type === 'changed') void refresh()
      },
    })
    return () => socket.close()
  }, [workspace, qc])
}
