import { ThreadParams, WorktreeParams } from '@bosun/contracts/aica'
import { type AicaMessage, RELAY_PROTOCOL_VERSION, RELAY_TOKEN_PREFIX } from '@bosun/contracts/relay'
import { notFound, unauthorized } from '@bosun/service-kit/errors'
import { errorFields } from '@bosun/service-kit/log'
import { parseJson } from '@bosun/service-kit/validate'
import { Elysia, t } from 'elysia'
import type { AicaDeps } from '../deps'
import { threadWorktreeId } from '../threads/queries'
import { handleFrame, RelayRefusal, type RelayScope, renewToken, unappliedAnswers, welcome } from './service'
import { relayTokenWorktree } from './tokens'

const HEARTBEAT_MS = 5000
const TokenQuery = t.Object({ token: t.Optional(t.String({ maxLength: 200 })) })

/** The relay token of a request: `Authorization: Bearer` or `?token=`. Nothing else is accepted here. */
async function relayScope(deps: AicaDeps, request: Request, query: { token?: string }) {
  const header = request.headers.get('authorization')
  const bearer = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined
  const token = bearer ?? query.token
  if (!token) throw unauthorized('Relay sockets need a relay token')
  if (!token.startsWith(RELAY_TOKEN_PREFIX)) throw unauthorized('Relay sockets accept relay tokens only')
  const worktreeId = await relayTokenWorktree(deps.database, token)
  if (!worktreeId) throw unauthorized('Invalid or expired relay token')
  return worktreeId
}

/**
 * The runner's sockets: `GET /api/agent-sessions/:id/relay` (one thread) and `GET /api/worktrees/:wtId/relay`
 * (every thread of the worktree). Token-authed only; a token of another worktree answers 404.
 */
export function relayRoutes(deps: AicaDeps) {
  const scopes = new WeakMap<Request, RelayScope>()
  const open = new Map<
    string,
    { detach(): void; timers: Array<ReturnType<typeof setInterval>>; chain: Promise<void> }
  >()

  const socket = {
    query: TokenQuery,
    open(ws: { id: string; data: { request: Request }; send(s: string): unknown; raw: { ping(): unknown } }) {
      const scope = scopes.get(ws.data.request)
      if (!scope) return
      const send = (msg: AicaMessage) => ws.send(JSON.stringify(msg))
      const detach = deps.relays.attach(scope.worktreeId, { threadId: scope.threadId, send })
      const renewEvery = (deps.env.BOSUN_AICA_RELAY_TOKEN_TTL_S * 1000) / 2
      const timers = [
        setInterval(() => ws.raw.ping(), HEARTBEAT_MS),
        setInterval(() => void renewToken(deps, scope).then(send, () => {}), renewEvery),
      ]
      // The welcome goes first; frames queue behind it.
      const chain = welcome(deps, scope)
        .then(async (msg) => {
          send(msg)
          for (const answer of await unappliedAnswers(deps, scope)) send(answer)
        })
        .catch((err) => deps.logger.warn('relay welcome failed', errorFields(err)))
      open.set(ws.id, { detach, timers, chain })
    },
    message(ws: { id: string; data: { request: Request }; send(s: string): unknown }, raw: unknown) {
      const scope = scopes.get(ws.data.request)
      if (!scope) return
      const send = (msg: AicaMessage) => ws.send(JSON.stringify(msg))
      const frame = typeof raw === 'string' ? parseJson(raw) : raw
      const apply = async () => {
        try {
          for (const reply of await handleFrame(deps, scope, frame)) send(reply)
        } catch (err) {
          if (!(err instanceof RelayRefusal)) deps.logger.warn('relay frame failed', errorFields(err))
          const code = err instanceof RelayRefusal ? err.code : 'internal'
          const message = err instanceof RelayRefusal ? err.message : 'Internal error'
          send({ v: RELAY_PROTOCOL_VERSION, type: 'error', code, message, fatal: false })
        }
      }
      // Frames are applied one at a time in arrival order: Bun does not wait for an async handler, and
      // the runner's order (status, then items) is the thread's order.
      const entry = open.get(ws.id)
      if (!entry) return
      entry.chain = entry.chain.then(apply)
    },
    close(ws: { id: string }) {
      const entry = open.get(ws.id)
      if (!entry) return
      for (const timer of entry.timers) clearInterval(timer)
      entry.detach()
      open.delete(ws.id)
    },
  }

  return new Elysia()
    .ws('/api/agent-sessions/:id/relay', {
      ...socket,
      params: ThreadParams,
      detail: {
        operationId: 'aicaThreadRelay',
        tags: ['aica'],
        summary: "The runner's socket for one thread (relay token only)",
        security: [],
      },
      async beforeHandle({ request, params, query }) {
        const worktreeId = await relayScope(deps, request, query)
        if ((await threadWorktreeId(deps, params.id)) !== worktreeId) throw notFound('Thread')
        scopes.set(request, { worktreeId, threadId: params.id })
      },
    })
    .ws('/api/worktrees/:wtId/relay', {
      ...socket,
      params: WorktreeParams,
      detail: {
        operationId: 'aicaWorktreeRelay',
        tags: ['aica'],
        summary: "The runner's socket for a worktree (relay token only)",
        security: [],
      },
      async beforeHandle({ request, params, query }) {
        const worktreeId = await relayScope(deps, request, query)
        if (params.wtId !== worktreeId) throw notFound('Worktree')
        scopes.set(request, { worktreeId, threadId: null })
      },
    })
}
