/**
 * Loopback servers for SSRF tests: a canary that counts every request it receives (a hit means a guard
 * let something through), and a fake model provider whose `/v1/models` accepts one key.
 */
export type Canary = { url: string; port: number; hits: string[]; stop(): void }

export function startCanary(): Canary {
  const hits: string[] = []
  // '::' accepts IPv6 and IPv4 (mapped) connections, so loopback in either family counts.
  const server = Bun.serve({
    hostname: '::',
    port: 0,
    fetch(req) {
      hits.push(`${req.method} ${new URL(req.url).pathname}`)
      return new Response('canary-body-that-must-never-be-echoed')
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, port: server.port!, hits, stop: () => server.stop(true) }
}

export type FakeProvider = { url: string; host: string; requests: number; stop(): void }

/**
 * `GET /v1/models` answers 200 for `Authorization: Bearer <key>` and 401 otherwise, each with a body
 * holding `secretInBody` (a probe must never echo it). `GET /redirect/v1/models` redirects to `redirectTo`.
 */
export function startFakeProvider(opts: {
  key: string
  secretInBody: string
  redirectTo?: string
}): FakeProvider {
  let requests = 0
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      requests++
      const path = new URL(req.url).pathname
      if (path === '/redirect/v1/models' && opts.redirectTo)
        return new Response(null, { status: 302, headers: { location: opts.redirectTo } })
      if (path !== '/v1/models') return new Response('no', { status: 404 })
      const ok = req.headers.get('authorization') === `Bearer ${opts.key}`
      return Response.json(
        ok ? { data: [{ id: 'scripted' }], note: opts.secretInBody } : { error: opts.secretInBody },
        { status: ok ? 200 : 401 },
      )
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    host: `127.0.0.1:${server.port}`,
    get requests() {
      return requests
    },
    stop: () => server.stop(true),
  }
}

export type ByteCanary = { port: number; bytes: number; connections: number; stop(): void }

/**
 * A raw TCP listener on loopback that counts every connection and byte it receives: a sandboxed agent
 * must not reach it, so a test fails on any count above zero.
 */
export function startByteCanary(): ByteCanary {
  let bytes = 0
  let connections = 0
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open() {
        connections++
      },
      data(_socket, data) {
        bytes += data.length
      },
    },
  })
  return {
    port: server.port,
    get bytes() {
      return bytes
    },
    get connections() {
      return connections
    },
    stop: () => server.stop(true),
  }
}

export type EchoStandin = { port: number; bytes: number; stop(): void }

/** A raw TCP listener on loopback that answers every chunk with `echo:` and the chunk (a registry's stand-in). */
export function startEchoStandin(): EchoStandin {
  let bytes = 0
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket, data) {
        bytes += data.length
        socket.write(`echo:${Buffer.from(data).toString()}`)
      },
    },
  })
  return {
    port: server.port,
    get bytes() {
      return bytes
    },
    stop: () => server.stop(true),
  }
}
