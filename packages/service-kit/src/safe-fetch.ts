import { lookup as dnsLookup } from 'node:dns/promises'
import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'

/**
 * Outbound HTTP to user-supplied URLs (provider probes, callbacks) without SSRF: the URL is refused
 * when written in an odd form, every resolved address must be public, the connection goes to the
 * address that was checked (a custom `lookup`; Bun's fetch ignores undici dispatchers), redirects are
 * not followed, and time and bytes are capped.
 */
export class OutboundRefused extends Error {
  constructor(readonly reason: string) {
    super(`Outbound request refused: ${reason}`)
    this.name = 'OutboundRefused'
  }
}

export type SafeFetchOptions = {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  timeoutMs?: number
  maxBytes?: number
  /** `host:port` pairs allowed although private (tests and dev point these at loopback stand-ins). */
  allowHosts?: readonly string[]
  /** DNS, replaceable in tests of the guard itself. */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>
}

export type SafeResponse = {
  status: number
  headers: Record<string, string>
  body: Uint8Array
  truncated: boolean
}

const NUMERIC_LABEL = /^(0x[0-9a-f]*|\d+)$/i
const CANONICAL_V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const REFUSED_NAMES = [/^localhost$/i, /\.localhost$/i, /^metadata(\.google\.internal)?$/i, /\.internal$/i]

/** Parses and vets a URL as written, before any normalisation could hide an address. */
export function checkUrl(raw: string): URL {
  if (/[\s\\]/.test(raw) || [...raw].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
    throw new OutboundRefused('the URL contains whitespace or control characters')
  const m = /^(https?):\/\/([^/?#]*)/i.exec(raw)
  if (!m) throw new OutboundRefused('only http and https URLs are allowed')
  const authority = m[2] ?? ''
  if (authority.includes('@')) throw new OutboundRefused('credentials in the URL are not allowed')
  if (authority.includes('%')) throw new OutboundRefused('percent-encoded hosts are not allowed')
  const host = authority.startsWith('[')
    ? authority.slice(0, authority.indexOf(']') + 1)
    : authority.replace(/:\d*$/, '')
  if (!host) throw new OutboundRefused('the URL has no host')
  if (host.endsWith('.')) throw new OutboundRefused('hosts with a trailing dot are not allowed')
  const labels = host.split('.')
  if (!host.startsWith('[') && labels.every((l) => NUMERIC_LABEL.test(l)) && !CANONICAL_V4.test(host))
    throw new OutboundRefused('IPv4 addresses must be written as four decimal numbers')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new OutboundRefused('the URL does not parse')
  }
  if (REFUSED_NAMES.some((r) => r.test(url.hostname)))
    throw new OutboundRefused('internal host names are not allowed')
  return url
}

function v4Octets(ip: string): number[] {
  return ip.split('.').map(Number)
}

function forbiddenV4(ip: string): boolean {
  const [a = 0, b = 0, c = 0] = v4Octets(ip)
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 192 && b === 88 && c === 99) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224
  )
}

/** Eight 16-bit groups of an IPv6 address (an embedded IPv4 tail is converted). */
function v6Groups(ip: string): number[] | undefined {
  let text = ip
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Octets(tail[1])
    text = `${text.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const head = part(halves[0])
  const rest = part(halves[1])
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0
  const groups = [...head, ...Array(fill).fill(0), ...rest]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined
}

function forbiddenV6(ip: string): boolean {
  if (ip.includes('%')) return true
  const g = v6Groups(ip)
  if (!g) return true
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, , g5 = 0] = g
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0)
  if (zeroTo(6)) return true // ::, ::1 and IPv4-compatible ::a.b.c.d
  if (zeroTo(5) && g5 === 0xffff) return true // IPv4-mapped
  if (g0 === 0x64 && g1 === 0xff9b) return true // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true // discard 100::/64
  if (g0 === 0x2001 && (g1 === 0 || g1 === 0xdb8)) return true // Teredo, documentation
  if (g0 === 0x2002) return true // 6to4 embeds an IPv4 address
  if ((g0 & 0xfe00) === 0xfc00) return true // unique local (fd00:ec2::254 metadata included)
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true // link- and site-local
  if ((g0 & 0xff00) === 0xff00) return true // multicast
  return false
}

/** True for every address a server-side request must never reach. */
export function isForbiddenAddress(address: string): boolean {
  const kind = isIP(address)
  if (kind === 4) return forbiddenV4(address)
  if (kind === 6) return forbiddenV6(address)
  return true
}

const defaultResolve = async (host: string) => dnsLookup(host, { all: true, verbatim: true })

/** Resolves and vets the target; returns the one address to connect to. */
export async function checkTarget(url: URL, opts: Pick<SafeFetchOptions, 'allowHosts' | 'resolve'> = {}) {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const allowed = (opts.allowHosts ?? []).includes(`${url.hostname}:${port}`)
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await (opts.resolve ?? defaultResolve)(host).catch(() => {
        throw new OutboundRefused('the host does not resolve')
      })
  if (addresses.length === 0) throw new OutboundRefused('the host does not resolve')
  if (!allowed && addresses.some((a) => isForbiddenAddress(a.address)))
    throw new OutboundRefused('the host resolves to a private, loopback or reserved address')
  return addresses[0]!
}

/** One request to a vetted URL; never follows redirects; the body is cut at `maxBytes`. */
export async function safeFetch(raw: string, opts: SafeFetchOptions = {}): Promise<SafeResponse> {
  const url = checkUrl(raw)
  const target = await checkTarget(url, opts)
  const maxBytes = opts.maxBytes ?? 64 * 1024
  const timeoutMs = opts.timeoutMs ?? 5000
  const lib = url.protocol === 'https:' ? https : http
  return new Promise<SafeResponse>((resolve, reject) => {
    const req = lib.request(
      {
        protocol: url.protocol,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: opts.method ?? 'GET',
        headers: {
          ...opts.headers,
          ...(opts.body ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
        },
        // Connect to the address that was checked, whatever DNS says now (no rebinding).
        lookup: (
          _host: string,
          options: { all?: boolean },
          cb: (
            err: Error | null,
            address: string | Array<{ address: string; family: number }>,
            family?: number,
          ) => void,
        ) => (options.all ? cb(null, [target]) : cb(null, target.address, target.family)),
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        let truncated = false
        res.on('data', (chunk: Buffer) => {
          if (truncated) return
          size += chunk.length
          if (size > maxBytes) {
            truncated = true
            chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)))
            res.destroy()
            finish()
            return
          }
          chunks.push(chunk)
        })
        let done = false
        const finish = () => {
          if (done) return
          done = true
          clearTimeout(timer)
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v
          resolve({
            status: res.statusCode ?? 0,
            headers,
            body: new Uint8Array(Buffer.concat(chunks)),
            truncated,
          })
        }
        res.on('end', finish)
        res.on('error', (err) => (truncated ? undefined : reject(err)))
      },
    )
    const timer = setTimeout(() => {
      req.destroy(new OutboundRefused(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    req.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    if (opts.body) req.write(opts.body)
    req.end()
  })
}
