import { checkTarget, checkUrl, OutboundRefused, type SafeFetchOptions } from '@bosun/service-kit/safe-fetch'
import type { Socket } from 'bun'
import { allowedBy, type Standin } from './egress-allow'

export type EgressOptions = {
  /** The Unix socket it listens on (bound into the sandbox, bridged to a loopback port there). */
  unix: string
  /** Hosts (port 443) and `*.domain` entries: the workspace's list within the operator's (`effectiveAllow`). */
  allow: readonly string[]
  /** Tests only: names tunnelled to a local stand-in address instead of being resolved and checked. */
  standins?: ReadonlyMap<string, Standin>
  resolve?: SafeFetchOptions['resolve']
}

const MAX_HEAD = 8192

type Side = { socket?: Socket<unknown>; pending: Uint8Array[] }

/** Writes what the socket takes now and keeps the rest for its `drain`. */
function send(side: Side, data: Uint8Array) {
  if (!side.socket) return void side.pending.push(data)
  if (side.pending.length) return void side.pending.push(data)
  const n = side.socket.write(data)
  if (n < data.length) side.pending.push(data.subarray(Math.max(n, 0)))
}

function drain(side: Side) {
  while (side.socket && side.pending.length) {
    const head = side.pending[0]!
    const n = side.socket.write(head)
    if (n < head.length) {
      side.pending[0] = head.subarray(Math.max(n, 0))
      return
    }
    side.pending.shift()
  }
}

/**
 * A sandbox's way to the hosts its workspace's work needs (package registries): an HTTPS CONNECT proxy on
 * a Unix socket. A host must be on the allowlist, and every address it resolves to must be public (no
 * loopback, private, link-local or metadata address; service-kit's SSRF rules); the tunnel goes to the
 * address that was checked, so DNS cannot answer differently afterwards. TLS stays end to end.
 */
export function openEgressProxy(opts: EgressOptions) {
  type State = { head: Uint8Array; upstream?: Side; client: Side }
  const refuse = (socket: Socket<State>, status: string, why: string) => {
    socket.write(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${why}\n`)
    socket.end()
  }
  /** Where a tunnel to an allowed host goes: a test stand-in, else the public address its name resolves to. */
  const targetOf = async (host: string): Promise<{ address: string; port: number } | { refused: string }> => {
    const standin = opts.standins?.get(host)
    if (standin) return { address: standin.hostname, port: standin.port }
    try {
      const checked = await checkTarget(checkUrl(`https://${host}/`), { resolve: opts.resolve })
      return { address: checked.address, port: 443 }
    } catch (err) {
      return { refused: err instanceof OutboundRefused ? err.reason : 'The host cannot be reached' }
    }
  }
  const open = async (socket: Socket<State>, line: string, upstream: Side) => {
    const m = /^CONNECT ([^\s:]+|\[[^\]\s]+\]):(\d{1,5}) HTTP\/1\.[01]$/i.exec(line)
    if (!m) return refuse(socket, '405 Method Not Allowed', 'Only HTTPS through CONNECT host:port is offered')
    const host = m[1]!.toLowerCase()
    const port = m[2]!
    if (port !== '443' || !allowedBy(opts.allow, host))
      return refuse(socket, '403 Forbidden', `${host}:${port} is not on this workspace's egress allowlist`)
    const target = await targetOf(host)
    if ('refused' in target) return refuse(socket, '403 Forbidden', target.refused)
    const state = socket.data
    await Bun.connect({
      hostname: target.address,
      port: target.port,
      socket: {
        open(up) {
          upstream.socket = up as Socket<unknown>
          send(state.client, new TextEncoder().encode('HTTP/1.1 200 Connection Established\r\n\r\n'))
          drain(upstream)
        },
        data(_up, data) {
          send(state.client, data)
        },
        drain: () => drain(upstream),
        close: () => void socket.end(),
        error: () => void socket.end(),
      },
    }).catch(() => refuse(socket, '502 Bad Gateway', 'The host did not answer'))
  }
  const server = Bun.listen<State>({
    unix: opts.unix,
    socket: {
      open(socket) {
        socket.data = { head: new Uint8Array(0), client: { socket: socket as Socket<unknown>, pending: [] } }
      },
      data(socket, data) {
        const state = socket.data
        if (state.upstream) return send(state.upstream, data)
        const head = new Uint8Array(state.head.length + data.length)
        head.set(state.head)
        head.set(data, state.head.length)
        state.head = head
        // latin1 maps bytes one to one, so string indexes are byte offsets.
        const text = new TextDecoder('latin1').decode(head)
        const end = text.indexOf('\r\n\r\n')
        if (end < 0) {
          if (head.length > MAX_HEAD) refuse(socket, '431 Request Header Fields Too Large', 'Too long')
          return
        }
        // Bytes after the request head (a client that starts TLS at once) wait for the tunnel.
        const upstream: Side = { pending: end + 4 < head.length ? [head.subarray(end + 4)] : [] }
        state.upstream = upstream
        void open(socket, text.slice(0, text.indexOf('\r\n')), upstream)
      },
      drain: (socket) => drain(socket.data.client),
      close(socket) {
        socket.data.upstream?.socket?.end()
      },
    },
  })
  return { close: () => server.stop(true) }
}
