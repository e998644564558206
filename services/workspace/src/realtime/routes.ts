import type { Principal } from '@bosun/contracts/principal'
import { memberRemoved, RealtimeQuery, WorkspaceParams } from '@bosun/contracts/workspace'
import { authorize, isRevoked } from '@bosun/service-kit/auth-guard'
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
  type Open = {
    session: RealtimeSession
    timer: ReturnType<typeof setInterval>
    release: () => void
    principal: Principal
    workspaceId: string
    close(code: number, reason: string): void
  }
  const sessions = new Map<string, Open>()
  const people = new WeakMap<Request, Principal>()
  // Revocation is immediate: a revoked credential, a changed role or a removal from the workspace closes the
  // sockets it opened (the client reconnects, and is refused if it may no longer see the workspace).
  deps.guard.onRevoked((revoked) => {
    for (const open of sessions.values())
      if (isRevoked(open.principal, revoked)) open.close(4401, 'Credential or role changed')
  })
  deps.bus.onEvent(memberRemoved, ({ workspaceId, login }) => {
    for (const open of sessions.values()) {
      if (open.workspaceId !== workspaceId || open.principal.login.toLowerCase() !== login.toLowerCase())
        continue
      accessibleWorkspace(deps, open.principal, workspaceId).catch(() =>
        open.close(4404, 'Workspace not found'),
      )
    }
  })
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
      people.set(request, principal)
    },
    open(ws) {
      const principal = people.get(ws.data.request)
      if (!principal) return ws.close(4401, 'Not authorized')
      const release = sockets.hold(principal.userId)
      const session = openRealtime(deps, ws.data.params.id, ws.data.query.since, (msg) =>
        ws.send(JSON.stringify(msg)),
      )
      const timer = setInterval(() => {
        ws.raw.ping()
        session.heartbeat()
      }, HEARTBEAT_MS)
      sessions.set(ws.id, {
        session,
        timer,
        release,
        principal,
        workspaceId: ws.data.params.id,
        close: (code, reason) => ws.close(code, reason),
      })
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
