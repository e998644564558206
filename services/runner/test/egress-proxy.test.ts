import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openEgressProxy } from '../src/proxy/egress-proxy'

/** A TCP server on loopback standing in for a registry: it echoes what it gets, prefixed. */
const received: string[] = []
const upstream = Bun.listen({
  hostname: '127.0.0.1',
  port: 0,
  socket: {
    data(socket, data) {
      received.push(Buffer.from(data).toString())
      socket.write(`echo:${Buffer.from(data).toString()}`)
    },
  },
})
const dir = mkdtempSync(join(tmpdir(), 'bosun-egress-'))
const socketPath = join(dir, 'egress.sock')
const resolveTo: Record<string, string> = {
  'registry.test': '127.0.0.1',
  'metadata.test': '169.254.169.254',
  'intranet.test': '10.0.0.5',
  'loopback.test': '127.0.0.1',
}
const proxy = openEgressProxy({
  unix: socketPath,
  allow: [
    `registry.test:${upstream.port}`,
    `loopback.test:${upstream.port}`,
    'metadata.test:80',
    'intranet.test',
  ],
  // Only the registry's stand-in may be on loopback; the same address under another name is refused.
  allowPrivate: [`registry.test:${upstream.port}`],
  resolve: async (host) => [{ address: resolveTo[host] ?? '203.0.113.9', family: 4 }],
})
afterAll(() => {
  proxy.close()
  upstream.stop(true)
  rmSync(dir, { recursive: true, force: true })
})

/** Sends `request` over the proxy's socket and returns everything it answers until it closes or `until` shows. */
async function through(request: string, until?: string) {
  let text = ''
  const { promise, resolve } = Promise.withResolvers<string>()
  const socket = await Bun.connect({
    unix: socketPath,
    socket: {
      data(s, data) {
        text += Buffer.from(data).toString()
        if (until && text.includes(until)) {
          s.end()
          resolve(text)
        }
      },
      close: () => resolve(text),
    },
  })
  socket.write(request)
  return promise
}

describe('egress proxy', () => {
  test('tunnels to an allowed host, bytes sent with the CONNECT included', async () => {
    const reply = await through(
      `CONNECT registry.test:${upstream.port} HTTP/1.1\r\nHost: x\r\n\r\nhello`,
      'echo:hello',
    )
    expect(reply).toStartWith('HTTP/1.1 200 Connection Established\r\n\r\n')
    expect(reply).toContain('echo:hello')
  })

  test('refuses hosts off the list, private, loopback and metadata addresses after resolution, and plain HTTP', async () => {
    const before = received.length
    for (const [request, status] of [
      ['CONNECT elsewhere.test:443 HTTP/1.1\r\n\r\n', '403'],
      [`CONNECT loopback.test:${upstream.port} HTTP/1.1\r\n\r\n`, '403'],
      ['CONNECT metadata.test:80 HTTP/1.1\r\n\r\n', '403'],
      ['CONNECT intranet.test:443 HTTP/1.1\r\n\r\n', '403'],
      [`CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`, '403'],
      ['GET http://registry.test/ HTTP/1.1\r\n\r\n', '405'],
    ] as const)
      expect({ request, answer: (await through(request)).slice(0, 12) }).toEqual({
        request,
        answer: `HTTP/1.1 ${status}`,
      })
    expect(received.length).toBe(before)
  })
})
