import { natsConnectOptions } from '@bosun/contracts/nats-url'
import {
  type AicaMessage,
  type AicaWork,
  type backupRpc,
  type bundleRpc,
  type extraEnvRpc,
  type ItemBody,
  RELAY_TOKEN_PREFIX,
  type RunnerMessage,
  type ThreadStatus,
} from '@bosun/contracts/relay'
import type { RpcRequest, RpcResponse } from '@bosun/contracts/rpc'
import { subjects } from '@bosun/contracts/subjects'
import { parseReplyKey, REPLY_KEY_HEADER, sealReply } from '@bosun/service-kit/sealed-reply'
import { connect, headers, type NatsConnection } from 'nats'

type Frame = RunnerMessage
type Thread = {
  status: ThreadStatus
  items: Array<{ seq: number; key: string; body: ItemBody }>
  keys: Set<string>
}

/**
 * aica's side of the relay protocol for the runner's tests: a WebSocket relay that checks the token,
 * answers `welcome` from what it holds, acks items by key (storing each key once), and NATS answers
 * for extra-env, bundle and backup. Everything the runner sends is recorded in arrival order.
 */
export async function startAicaPeer(natsUrl: string) {
  const nc: NatsConnection = await connect(natsConnectOptions(natsUrl))
  const subj = subjects('bosun')
  const frames: Array<{ at: number; threadId?: string; frame: Frame }> = []
  const threads = new Map<string, Thread>()
  const tokens = new Map<string, string>()
  const extraEnv = new Map<string, RpcResponse<typeof extraEnvRpc>>()
  const backups = new Map<string, RpcResponse<typeof backupRpc>>()
  /** Worktrees whose backup RPC answers an error other than not_found (aica failing, not "no backup"). */
  const backupFaults = new Set<string>()
  const sockets = new Map<string, Set<{ send(s: string): void }>>()
  let bundleItems: RpcResponse<typeof bundleRpc>['items'] = []

  const thread = (id: string) => {
    let t = threads.get(id)
    if (!t) {
      t = { status: 'queued', items: [], keys: new Set() }
      threads.set(id, t)
    }
    return t
  }
  const reply = (subject: string, handler: (data: unknown) => unknown, sealed = false) => {
    const sub = nc.subscribe(subject)
    void (async () => {
      for await (const m of sub) {
        try {
          const answer = JSON.stringify(await handler(m.json()))
          const key = parseReplyKey(m.headers?.get(REPLY_KEY_HEADER))
          if (sealed && !key) throw new Error('no reply key')
          m.respond(key ? sealReply(key, new TextEncoder().encode(answer)) : answer)
        } catch (err) {
          const error = err instanceof PeerFault ? 'internal' : 'not_found'
          m.respond(JSON.stringify({ error, message: (err as Error).message }), {
            headers: errorHeaders(error === 'internal' ? '500' : '404', (err as Error).message),
          })
        }
      }
    })()
  }
  reply(
    subj.svc('aica', 'extra-env'),
    (d) => {
      const { threadId } = d as RpcRequest<typeof extraEnvRpc>
      const held = extraEnv.get(threadId)
      extraEnv.delete(threadId)
      return held ?? { state: 'none', env: {} }
    },
    true,
  )
  reply(subj.svc('aica', 'bundle'), (d) => {
    const { digest } = d as RpcRequest<typeof bundleRpc>
    return { digest, items: bundleItems }
  })
  reply(subj.svc('aica', 'backup'), (d) => {
    const { worktreeId } = d as RpcRequest<typeof backupRpc>
    if (backupFaults.has(worktreeId)) throw new PeerFault('the backup store is unavailable')
    const b = backups.get(worktreeId)
    if (!b) throw new Error('no backup')
    return b
  })

  const server = Bun.serve<{ threadId: string }>({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req, srv) {
      const url = new URL(req.url)
      const m = url.pathname.match(/^\/api\/agent-sessions\/([^/]+)\/relay$/)
      if (!m) return new Response('not found', { status: 404 })
      const threadId = m[1]!
      const token = req.headers.get('authorization')?.replace(/^Bearer /, '')
      if (!token || tokens.get(threadId) !== token) return new Response('unauthorized', { status: 401 })
      return srv.upgrade(req, { data: { threadId } })
        ? undefined
        : new Response('no upgrade', { status: 400 })
    },
    websocket: {
      open(ws) {
        const set = sockets.get(ws.data.threadId) ?? new Set()
        sockets.set(ws.data.threadId, set)
        set.add(ws)
      },
      close(ws) {
        sockets.get(ws.data.threadId)?.delete(ws)
      },
      message(ws, raw) {
        const frame = JSON.parse(String(raw)) as Frame
        const tid = 'threadId' in frame ? frame.threadId : undefined
        frames.push({ at: Date.now(), threadId: tid, frame })
        const send = (msg: AicaMessage) => ws.send(JSON.stringify(msg))
        if (frame.type === 'hello') {
          const t = thread(ws.data.threadId)
          send({
            v: 1,
            type: 'welcome',
            worktreeId: 'wt_placeholder0',
            threads: [
              { threadId: ws.data.threadId, status: t.status, lastSeq: t.items.length, keys: [...t.keys] },
            ],
          })
        }
        if (frame.type === 'item') {
          const t = thread(frame.threadId)
          if (!t.keys.has(frame.key)) {
            t.keys.add(frame.key)
            t.items.push({ seq: t.items.length + 1, key: frame.key, body: frame.body })
          }
          const seq = t.items.find((i) => i.key === frame.key)!.seq
          send({ v: 1, type: 'ack', threadId: frame.threadId, key: frame.key, seq })
        }
        if (frame.type === 'status') thread(frame.threadId).status = frame.status
        if (frame.type === 'ping') send({ v: 1, type: 'pong' })
        if (frame.type === 'backup')
          backups.set(frame.worktreeId, {
            ref: frame.ref,
            headSha: frame.headSha,
            bundle: frame.bundle,
            sha256: frame.sha256,
            at: new Date().toISOString(),
          })
      },
    },
  })

  let n = 0
  const id = (prefix: string) =>
    `${prefix}${Date.now().toString(36)}${(n++).toString(36)}${'x'.repeat(8)}`.slice(0, 30)
  return {
    url: `http://127.0.0.1:${server.port}`,
    nc,
    frames,
    threads,
    backups,
    backupFaults,
    setBundle(items: typeof bundleItems) {
      bundleItems = items
    },
    /** Publishes a work message the way aica dispatches, and remembers its relay token. */
    async dispatch(over: Partial<AicaWork> & { extra?: RpcResponse<typeof extraEnvRpc> } = {}) {
      const threadId = over.threadId ?? id('thr_')
      const relayToken = `${RELAY_TOKEN_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(32)))
        .toString('base64url')
        .slice(0, 43)}`
      tokens.set(threadId, relayToken)
      thread(threadId)
      if (over.extra) extraEnv.set(threadId, over.extra)
      const { extra, ...rest } = over
      const work: AicaWork = {
        threadId,
        worktreeId: id('wt_'),
        workspaceId: 'demo',
        repo: 'demo-org/demo-repo',
        ref: 'main',
        prompt: 'Create a file named hello.txt that says hello world.',
        agent: 'build',
        model: 'bosun-scripted',
        provider: 'bosun',
        priority: 'normal',
        bundleDigest: 'sha256-test',
        relayPath: `/api/agent-sessions/${threadId}/relay`,
        relayToken,
        relayTokenExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
        hasExtraEnv: extra !== undefined,
        usesSharedCreds: false,
        userId: 'u1',
        dispatchedAt: new Date().toISOString(),
        ...rest,
      }
      const js = nc.jetstream()
      const envelope = {
        id: crypto.randomUUID(),
        type: 'aica.work.v1',
        source: 'aica',
        time: work.dispatchedAt,
        data: work,
      }
      await js.publish(subj.work('aica', work.priority), JSON.stringify(envelope), { msgID: envelope.id })
      return { work, sentAt: Date.now() }
    },
    /** Sends a command to the runner over the thread's open relay socket(s). */
    command(threadId: string, msg: AicaMessage) {
      for (const ws of sockets.get(threadId) ?? []) ws.send(JSON.stringify(msg))
    },
    itemsOf: (threadId: string) => threads.get(threadId)?.items ?? [],
    statusesOf: (threadId: string) =>
      frames.flatMap((f) => (f.frame.type === 'status' && f.threadId === threadId ? [f.frame.status] : [])),
    async stop() {
      server.stop(true)
      await nc.close()
    },
  }
}

export type AicaPeer = Awaited<ReturnType<typeof startAicaPeer>>

/** A failure of aica's own, answered as an internal error rather than not_found. */
class PeerFault extends Error {}

function errorHeaders(code: string, message: string) {
  const h = headers()
  h.set('Nats-Service-Error-Code', code)
  h.set('Nats-Service-Error', message)
  return h
}
