import { RealtimeQuery, WorkspaceParams } from '@bosun/contracts/workspace'
import { authorize } from '@bosun/service-kit/auth-guard'
import { createConcurrencyLimit } from '@bosun/service-kit/rate-limit'
import { Elysia } from 'elysia'
import type { WorkspaceDeps } from '../deps'
import { accessibleWorkspace } from '../workspaces/service'
import { openRealtime, type RealtimeSession } from './service'

const HEARTBEAT_MS = 5000

/**
 * `GET /api/workspaces/:id/realtime` (WebSocket): authorized before the upgrade (401/403/404 as HTTP),
 * then a snapshot and every change in order; `?since=<seq>` resumes. Read-only: client messages are ignored.
 */
export function realtimeRoutes(deps: WorkspaceDeps) {
  const sessions = new Map<
    string,
    { session: RealtimeSession; timer: ReturnType<typeof setInterval>; release: () => void }
  >()
  const people = new WeakMap<Request, string>()
  const sockets = createConcurrencyLimit({
    max: deps.env.BOSUN_RATE_SOCKETS_PER_PERSON,
    what: 'open realtime sockets for this person',
  })
  return new Elysia().ws('/api/workspaces/:id/realtime', {
    params: WorkspaceParams,
    query: RealtimeQuery,
    detail: {
      operationId: 'workspaceRealtime',
      tags: ['workspace'],
      summary: 'Live workspace state (WebSocket)',
    },
    async beforeHandle({ request, params }) {
      const principal = await authorize(deps.guard, request, ['team_members:read'])
      await accessibleWorkspace(deps, principal, params.id)
      sockets.check(principal.userId)
      people.set(request, principal.userId)
    },
    open(ws) {
      const person = people.get(ws.data.request)
      const release = person ? sockets.hold(person) : () => {}
      const session = openRealtime(deps, ws.data.params.id, ws.data.query.since, (msg) =>
        ws.send(JSON.stringify(msg)),
      )
      const timer = setInterval(() => {
        ws.raw.ping()
        session.heartbeat()
      }, HEARTBEAT_MS)
      sessions.set(ws.id, { session, timer, release })
    },
    message() {},
    close(ws) {
      const entry = sessions.get(ws.id)
      if (!entry) return
      clearInterval(entry.timer)
      entry.release()
      entry.session.close()
      sessions.delete(ws.id)
    },
  })
}
