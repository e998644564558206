import { WorkspaceParams } from '@bosun/contracts/artifacts'
import { authorize } from '@bosun/service-kit/auth-guard'
import { Elysia } from 'elysia'
import type { ArtifactsDeps } from '../deps'

const HEARTBEAT_MS = 15_000

/**
 * `GET /api/workspaces/:id/artifacts/live` (WebSocket): authorized before the upgrade (401/403/404 as HTTP),
 * then every change of the workspace's artifacts as `ArtifactLive`, the whole artifact each time.
 */
export function liveRoutes(deps: ArtifactsDeps) {
  const open = new Map<string, { unsubscribe: () => void; timer: ReturnType<typeof setInterval> }>()
  return new Elysia().ws('/api/workspaces/:id/artifacts/live', {
    params: WorkspaceParams,
    detail: {
      operationId: 'artifactsLive',
      tags: ['artifacts'],
      summary: 'Live artifact changes (WebSocket)',
    },
    async beforeHandle({ request, params }) {
      const principal = await authorize(deps.guard, request, ['team_artifacts:read'])
      await deps.workspaces.forCaller(principal, params.id)
    },
    open(ws) {
      const unsubscribe = deps.live.subscribe(ws.data.params.id, (message) =>
        ws.send(JSON.stringify(message)),
      )
      const timer = setInterval(() => ws.raw.ping(), HEARTBEAT_MS)
      open.set(ws.id, { unsubscribe, timer })
    },
    message() {},
    close(ws) {
      const entry = open.get(ws.id)
      if (!entry) return
      clearInterval(entry.timer)
      entry.unsubscribe()
      open.delete(ws.id)
    },
  })
}
