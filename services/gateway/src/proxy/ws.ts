import type { ServerWebSocket } from 'bun'
import { errorResponse } from './http'

/** Per client socket: the upstream socket opened before the upgrade, and what it sent before the client was ready. */
export type SocketData = { upstream: WebSocket; early: Array<string | ArrayBuffer | Uint8Array> }

const FORWARDED = ['cookie', 'authorization', 'x-forwarded-for', 'x-request-id', 'origin']

/**
 * Opens the upstream socket first, so a refusal (401/403/404) reaches the client as a real HTTP answer
 * instead of a socket that opens and dies; on success the caller upgrades the client and pairs them.
 */
export async function connectUpstream(
  req: Request,
  upstream: string,
  requestId: string,
  timeoutMs: number,
): Promise<{ ok: true; data: SocketData } | { ok: false; response: Response }> {
  const url = new URL(req.url)
  const target = `${upstream.replace(/^http/, 'ws')}${url.pathname}${url.search}`
  const headers: Record<string, string> = { 'x-request-id': requestId }
  for (const h of FORWARDED) {
    const v = req.headers.get(h)
    if (v) headers[h] = v
  }
  const early: SocketData['early'] = []
  const socket = new WebSocket(target, { headers } as unknown as string[])
  socket.binaryType = 'arraybuffer'
  socket.onmessage = (e) => early.push(e.data as string | ArrayBuffer)
  // A service that accepts the connection and never answers the upgrade must not hold the client for ever.
  let timer: ReturnType<typeof setTimeout> | undefined
  const opened = await new Promise<boolean>((resolve) => {
    socket.onopen = () => resolve(true)
    socket.onerror = () => resolve(false)
    socket.onclose = () => resolve(false)
    timer = setTimeout(() => {
      socket.close()
      resolve(false)
    }, timeoutMs)
  })
  clearTimeout(timer)
  if (opened) return { ok: true, data: { upstream: socket, early } }
  return { ok: false, response: await refusal(upstream, url, headers, requestId, timeoutMs) }
}

/** Asks the upstream over plain HTTP why it refused the upgrade, to pass its status and error on. */
async function refusal(
  upstream: string,
  url: URL,
  headers: Record<string, string>,
  requestId: string,
  timeoutMs: number,
) {
  try {
    const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64'),
      },
    })
    if (res.status >= 400) return new Response(res.body, { status: res.status, headers: res.headers })
  } catch {}
  return errorResponse(503, 'unavailable', 'The socket could not be opened upstream', requestId)
}

export const websocketHandlers = {
  idleTimeout: 60,
  sendPings: true,
  open(ws: ServerWebSocket<SocketData>) {
    const { upstream, early } = ws.data
    for (const m of early.splice(0)) ws.send(m)
    upstream.onmessage = (e) => ws.send(e.data as string | ArrayBuffer)
    upstream.onclose = (e) => ws.close(e.code === 1005 || e.code === 1006 ? 1011 : e.code, e.reason)
    upstream.onerror = () => ws.close(1011, 'upstream error')
  },
  message(ws: ServerWebSocket<SocketData>, message: string | Buffer) {
    if (ws.data.upstream.readyState === WebSocket.OPEN) ws.data.upstream.send(message)
  },
  close(ws: ServerWebSocket<SocketData>, code: number, reason: string) {
    const valid = code === 1000 || (code >= 3000 && code < 5000)
    ws.data.upstream.close(valid ? code : 1000, reason)
  },
}
