import { EgressHost } from '@bosun/contracts/aica-admin'

const HOST = new RegExp(EgressHost.pattern!)

/** `*.example.org` matches the subdomains of example.org; any other entry matches itself only. */
export const matches = (entry: string, host: string) =>
  entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry

export const allowedBy = (list: readonly string[], host: string) => list.some((e) => matches(e, host))

/** The narrower of two entries when one holds the other, else nothing (the hosts both allow). */
function meet(a: string, b: string): string | undefined {
  if (matches(b, a)) return a
  if (matches(a, b)) return b
  return undefined
}

/**
 * The hosts a sandbox may reach: those on both the workspace's list and the operator's ceiling, written
 * as entries of the same kind (a host is allowed by the result exactly when both lists allow it).
 */
export function effectiveAllow(ceiling: readonly string[], workspace: readonly string[]): string[] {
  const out = new Set<string>()
  for (const w of workspace)
    for (const c of ceiling) {
      const m = meet(w.toLowerCase(), c)
      if (m) out.add(m)
    }
  return [...out].sort()
}

/** `BOSUN_RUNNER_EGRESS_ALLOW`: comma-separated hosts or `*.domain`, HTTPS (443) only. */
export function parseCeiling(raw: string): string[] {
  const list = raw
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
  const bad = list.filter((h) => !HOST.test(h))
  if (bad.length)
    throw new Error(
      `BOSUN_RUNNER_EGRESS_ALLOW: not a host name or *.domain (no IP address, no port; HTTPS only): ${bad.join(', ')}`,
    )
  return list
}

export type Standin = { hostname: string; port: number }

/**
 * `BOSUN_RUNNER_EGRESS_STANDINS` (tests only): `name=127.0.0.1:port,...`. The egress proxy tunnels a CONNECT
 * to `name:443` to that address instead of resolving it, past the private-address check: a local stand-in
 * for a public host. Never set in production: it is a way around the address check by design.
 */
export function parseStandins(raw: string): Map<string, Standin> {
  const out = new Map<string, Standin>()
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([^=\s]+)=([0-9.]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(entry)
    if (!m || !HOST.test(m[1]!))
      throw new Error(`BOSUN_RUNNER_EGRESS_STANDINS: expected name=address:port, got ${entry}`)
    out.set(m[1]!.toLowerCase(), { hostname: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) })
  }
  return out
}

/** What the sandbox note says about the way out besides the model. */
export function egressNote(allow: readonly string[]): string {
  if (!allow.length)
    return 'no egress proxy: the workspace allows no host the runner allows, so the model is the only way out'
  const shown = allow.slice(0, 12).join(', ')
  const more = allow.length > 12 ? ` and ${allow.length - 12} more` : ''
  return `egress proxy (HTTPS_PROXY, CONNECT to port 443 only) to ${shown}${more}: the hosts both the workspace and the runner's BOSUN_RUNNER_EGRESS_ALLOW allow, each refused when it resolves to a loopback, private, link-local or metadata address`
}
