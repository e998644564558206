import {
  LiveFeedEvent,
  type ThreadsRealtimeMessage,
  ThreadsRealtimeQuery,
  threadStatusChanged,
} from '@bosun/contracts/aica'
import type { Principal } from '@bosun/contracts/principal'
import type { ThreadStatus } from '@bosun/contracts/relay'
import { authorize } from '@bosun/service-kit/auth-guard'
import { notFound } from '@bosun/service-kit/errors'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { visibleThread } from '../threads/access'
import { toThread } from '../threads/model'

const HEARTBEAT_MS = 15_000
type FeedEvent =
  | { kind: 'status'; threadId: string; worktreeId: string; workspaceId: string; status: ThreadStatus }
  | { kind: 'summary'; threadId: string; worktreeId: string; workspaceId: string }

/**
 * `GET /api/aica/threads/realtime?workspace=` (WebSocket), for the sessions inbox: a `status` message whenever a
 * thread of the workspace that the caller may see changes status (a new thread's `queued` included), and a
 * `summary` message when its line counts or usage change (on `rt.aica.feed.<workspace>`). Every
 * instance hears every status event (core NATS), and each event is checked against the socket's owner at the
 * time it is sent, so a personal thread of someone else never shows. Nothing is replayed: a client that
 * reconnects reads the list again.
 */
export function workspaceFeedRoutes(deps: AicaDeps) {
  const sockets = new Map<string, Set<(e: FeedEvent) => void>>()
  const fan = (e: FeedEvent) => {
    for (const tell of sockets.get(e.workspaceId) ?? []) tell(e)
  }
  deps.bus.onEvent(threadStatusChanged, (e) => fan({ kind: 'status', ...e }))
  deps.bus.onLive(deps.bus.subjects.rt('aica', 'feed', '*'), LiveFeedEvent, (e) =>
    fan({ kind: 'summary', ...e }),
  )
  const principals = new WeakMap<Request, Principal>()
  const open = new Map<string, { stop: () => void; timer: ReturnType<typeof setInterval> }>()
  return new Elysia().ws('/api/aica/threads/realtime', {
    query: ThreadsRealtimeQuery,
    detail: {
      operationId: 'aicaThreadsRealtime',
      tags: ['aica'],
      summary: "Status changes of the workspace's threads I may see (WebSocket)",
    },
    async beforeHandle({ request, query }) {
      const principal = await authorize(deps.guard, request, ['aica:read'])
      if (!(await deps.access.canUse(principal, query.workspace))) throw notFound('Workspace')
      principals.set(request, principal)
    },
    open(ws) {
      const principal = principals.get(ws.data.request)
      if (!principal) return ws.close(4401, 'Not signed in')
      const workspace = ws.data.query.workspace
      const tell = (e: FeedEvent) =>
        void visibleThread(deps, principal, e.threadId).then(
          ({ thread, worktree }) => {
            const { changes, usage } = toThread(thread, worktree)
            const base = { threadId: e.threadId, worktreeId: e.worktreeId }
            const msg: ThreadsRealtimeMessage =
              e.kind === 'status'
                ? { type: 'status', ...base, status: e.status }
                : { type: 'summary', ...base, changes, usage }
            ws.send(JSON.stringify(msg))
          },
          () => {},
        )
      const set = sockets.get(workspace) ?? new Set()
      set.add(tell)
      sockets.set(workspace, set)
      const timer = setInterval(() => ws.raw.ping(), HEARTBEAT_MS)
      open.set(ws.id, {
        timer,
        stop: () => {
          set.delete(tell)
          if (!set.size) sockets.delete(workspace)
        },
      })
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
