const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]

/**
 * Headers for the upstream request: hop-by-hop ones dropped, forwarding ones set. A declared Content-Length goes
 * on (the body streams through at that length), so the service sees a sized body: its own body limit applies
 * before reading, and the webhook ingress does not count a GitHub delivery as an unsized one.
 */
export function forwardHeaders(req: Request, clientIp: string | undefined, requestId: string): Headers {
  const url = new URL(req.url)
  const headers = new Headers(req.headers)
  for (const h of HOP_BY_HOP) headers.delete(h)
  if (req.headers.has('transfer-encoding')) headers.delete('content-length')
  for (const h of (req.headers.get('connection') ?? '').split(',')) if (h.trim()) headers.delete(h.trim())
  const prior = req.headers.get('x-forwarded-for')
  if (clientIp) headers.set('x-forwarded-for', prior ? `${prior}, ${clientIp}` : clientIp)
  headers.set('x-forwarded-proto', url.protocol.replace(':', ''))
  headers.set('x-forwarded-host', req.headers.get('host') ?? url.host)
  headers.set('x-request-id', requestId)
  return headers
}

export function responseHeaders(upstream: Headers): Headers {
  const headers = new Headers(upstream)
  for (const h of HOP_BY_HOP) headers.delete(h)
  // The answer streams back; Bun frames it itself.
  headers.delete('content-length')
  return headers
}
