/**
 * NATS credentials ride in the URL, as with other brokers: `nats://user:pass@host:port` or
 * `nats://token@host:port`. nats.js does not read them from `servers`, so every connection goes through here.
 * A comma-separated server list passes through unchanged.
 */
export function natsConnectOptions(url: string): {
  servers: string
  user?: string
  pass?: string
  token?: string
} {
  if (url.includes(',') || !url.includes('@')) return { servers: url }
  const parsed = new URL(url)
  const servers = `${parsed.protocol}//${parsed.host}`
  const user = decodeURIComponent(parsed.username)
  const pass = decodeURIComponent(parsed.password)
  if (!pass) return { servers, token: user }
  return { servers, user, pass }
}

/** The URL without its credentials, for logs and what a person is shown. */
export function natsUrlForDisplay(url: string): string {
  const { servers } = natsConnectOptions(url)
  return servers
}
