import { RealtimeQuery, ThreadClientMessage, ThreadParams } from '@bosun/contracts/aica'
import type { Principal } from '@bosun/contracts/principal'
import { hasScopes } from '@bosun/contracts/scopes'
import { authorize } from '@bosun/service-kit/auth-guard'
import { AppError } from '@bosun/service-kit/errors'
import { createConcurrencyLimit } from '@bosun/service-kit/rate-limit'
import { isValid, parseJson } from '@bosun/service-kit/validate'
import { Elysia } from 'elysia'
import type { AicaDeps } from '../deps'
import { visibleThread } from '../threads/access'
import { promptThread, stopThread } from '../threads/actions'
import { openThreadStream, type ThreadStream } from './service'

const HEARTBEAT_MS = 5000

/**
 * `GET /api/agent-sessions/:id/realtime` (WebSocket): authorized before the upgrade (401/403/404 as
 * HTTP, 404 for threads the caller may not see), then the thread and its items from `?since=`.
 * Clients may send `prompt` and `stop` unless the socket is `?role=viewer`.
 */
export function realtimeRoutes(deps: AicaDeps) {
  const streams = new Map<
    string,
    { stream: ThreadStream; timer: ReturnType<typeof setInterval>; chain: Promise<void>; release: () => void }
  >()
  const principals = new WeakMap<Request, Principal>()
  const sockets = createConcurrencyLimit({
    max: deps.env.BOSUN_RATE_SOCKETS_PER_PERSON,
    what: 'open realtime sockets for this person',
  })
  return new Elysia().ws('/api/agent-sessions/:id/realtime', {
    params: ThreadParams,
    query: RealtimeQuery,
    detail: { operationId: 'aicaThreadRealtime', tags: ['aica'], summary: 'Live thread items (WebSocket)' },
    async beforeHandle({ request, params }) {
      const principal = await authorize(deps.guard, request, ['aica:read'])
      await visibleThread(deps, principal, params.id)
      sockets.check(principal.userId)
      principals.set(request, principal)
    },
    open(ws) {
      const send = (msg: unknown) => ws.send(JSON.stringify(msg))
      const principal = principals.get(ws.data.request)
      const stream = openThreadStream(deps, ws.data.params.id, ws.data.query.since, send, {
        visible: () =>
          principal
            ? visibleThread(deps, principal, ws.data.params.id).then(
                () => true,
                (err) => !(err instanceof AppError && err.code === 'not_found'),
              )
            : Promise.resolve(false),
        revoked: () => ws.close(4404, 'Thread not found'),
      })
      const timer = setInterval(() => {
        ws.raw.ping()
        stream.heartbeat()
      }, HEARTBEAT_MS)
      const release = principal ? sockets.hold(principal.userId) : () => {}
      streams.set(ws.id, { stream, timer, chain: Promise.resolve(), release })
    },
    message(ws, raw) {
      const send = (error: string, message: string) =>
        ws.send(JSON.stringify({ type: 'error', error, message }))
      if (ws.data.query.role === 'viewer') return send('forbidden', 'This socket is read-only (role=viewer)')
      const principal = principals.get(ws.data.request)
      const msg = typeof raw === 'string' ? parseJson(raw) : raw
      if (!principal || !isValid(ThreadClientMessage, msg)) return send('invalid_request', 'Unknown message')
      if (!hasScopes(principal.scopes, ['aica:write'])) return send('forbidden', 'Requires scope aica:write')
      const apply = async () => {
        try {
          if (msg.type === 'prompt') await promptThread(deps, principal, ws.data.params.id, msg.text)
          else await stopThread(deps, principal, ws.data.params.id)
        } catch (err) {
          if (err instanceof AppError) send(err.code, err.message)
          else {
            deps.logger.warn('realtime message failed', { err: String(err) })
            send('internal', 'Internal error')
          }
        }
      }
      // One at a time, in the order sent (a prompt then a stop must not swap).
      const entry = streams.get(ws.id)
      if (entry) entry.chain = entry.chain.then(apply)
    },
    close(ws) {
      const entry = streams.get(ws.id)
      if (!entry) return
      clearInterval(entry.timer)
      entry.release()
      entry.stream.close()
      streams.delete(ws.id)
    },
  })
}
