import { afterEach, describe, expect, test } from 'bun:test'
import type { AicaMessage, RunnerMessage, ThreadStatus } from '@bosun/contracts/relay'
import { createLogger } from '@bosun/service-kit/log'
import type { Server, ServerWebSocket } from 'bun'
import { connectRelay, type Relay } from '../src/relay/socket'

const THREAD = 'thr_relaysocket01'

/**
 * aica's relay as far as the socket needs it: a welcome on open from what it holds, frames applied in
 * order, acks for items, pongs for pings. `drop()` closes the open socket, as an aica restart does.
 */
function fakeAica() {
  let status: ThreadStatus = 'starting'
  const keys = new Set<string>()
  const applied: RunnerMessage[] = []
  let open: ServerWebSocket<unknown> | undefined
  const server: Server<unknown> = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (req, srv) => (srv.upgrade(req, { data: {} }) ? undefined : new Response('no', { status: 400 })),
    websocket: {
      open(ws) {
        open = ws
        const welcome: AicaMessage = {
          v: 1,
          type: 'welcome',
          worktreeId: 'wt_relaysocket01',
          threads: [{ threadId: THREAD, status, lastSeq: keys.size, keys: [...keys] }],
        }
        ws.send(JSON.stringify(welcome))
      },
      message(ws, raw) {
        const frame = JSON.parse(String(raw)) as RunnerMessage
        applied.push(frame)
        if (frame.type === 'status') status = frame.status
        if (frame.type === 'ping') ws.send(JSON.stringify({ v: 1, type: 'pong' }))
        if (frame.type === 'item') {
          keys.add(frame.key)
          ws.send(
            JSON.stringify({ v: 1, type: 'ack', threadId: frame.threadId, key: frame.key, seq: keys.size }),
          )
        }
      },
    },
  })
  return {
    url: `ws://127.0.0.1:${server.port}/relay`,
    applied,
    status: () => status,
    /** Closes the socket; frames the runner sends until it reconnects are lost on the wire. */
    drop: () => open?.close(1012, 'restart'),
    stop: () => server.stop(true),
  }
}

const cleanup: Array<() => void> = []
afterEach(() => {
  for (const c of cleanup.splice(0)) c()
})

function connect(url: string): Relay {
  const relay = connectRelay({
    url,
    token: `bosun_rly_${'A'.repeat(43)}`,
    runnerId: 'test',
    runId: 'run',
    logger: createLogger('relay-test', 'silent'),
    onCommand: () => {},
    onLost: () => {},
  })
  cleanup.push(() => relay.close())
  return relay
}

describe('relay socket', () => {
  test('a status sent while the socket is down reaches aica after the reconnect, and flush waits for it', async () => {
    const aica = fakeAica()
    cleanup.push(aica.stop)
    const relay = connect(aica.url)
    await relay.welcome
    relay.send({ type: 'status', threadId: THREAD, status: 'running' })
    relay.item(THREAD, 'k1', { kind: 'assistant_text', text: 'done' })
    expect(await relay.flush(5000)).toBe(true)
    aica.drop()
    relay.send({ type: 'status', threadId: THREAD, status: 'completed' })
    expect(await relay.flush(10_000)).toBe(true)
    expect(aica.status()).toBe('completed')
    const statuses = aica.applied.flatMap((f) => (f.type === 'status' ? [f.status] : []))
    expect(statuses).toEqual(['running', 'completed'])
  })

  test('flush reports false when aica never answers, so the work is not acked', async () => {
    const relay = connect('ws://127.0.0.1:9/relay')
    relay.send({ type: 'status', threadId: THREAD, status: 'failed' })
    expect(await relay.flush(1500)).toBe(false)
  })
})
