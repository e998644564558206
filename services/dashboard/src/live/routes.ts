import { DashboardRealtimeQuery } from '@bosun/contracts/dashboard'
import { hasScopes } from '@bosun/contracts/scopes'
import { forbidden } from '@bosun/service-kit/errors'
import { Elysia } from 'elysia'
import type { DashboardDeps } from '../deps'
import { resolveWorkspace } from '../workspaces/service'

const HEARTBEAT_MS = 15_000

/**
 * `GET /api/dashboard/realtime?workspace=` (WebSocket): authorized before the upgrade (401/403/404 as HTTP),
 * then a `changed` message whenever the workspace's buckets may read differently. Nothing is replayed: a
 * client that reconnects reads the buckets again. Client messages are ignored.
 */
export function liveRoutes(deps: DashboardDeps) {
  const open = new Map<string, { stop: () => void; timer: ReturnType<typeof setInterval> }>()
  return new Elysia().ws('/api/dashboard/realtime', {
    query: DashboardRealtimeQuery,
    detail: {
      operationId: 'dashboardRealtime',
      tags: ['dashboard'],
      summary: 'Tells when the buckets of a workspace changed (WebSocket)',
    },
    async beforeHandle({ request, query }) {
      const principal = await deps.guard.principal(request)
      if (!hasScopes(principal.scopes, ['team_members:read']))
        throw forbidden('Requires scope team_members:read')
      await resolveWorkspace(deps, principal, query.workspace)
    },
    open(ws) {
      const stop = deps.hub.subscribe(ws.data.query.workspace, (msg) => ws.send(JSON.stringify(msg)))
      const timer = setInterval(() => ws.raw.ping(), HEARTBEAT_MS)
      open.set(ws.id, { stop, timer })
    },
    message() {},
    close(ws) {
      const entry = open.get(ws.id)
      if (!entry) return
      clearInterval(entry.timer)
      entry.stop()
      open.delete(ws.id)
    },
  })
}
