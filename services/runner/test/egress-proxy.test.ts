import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { effectiveAllow, parseCeiling, parseStandins } from '../src/proxy/egress-allow'
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
// The workspace allows registry.test and workspace-only.test, the operator registry.test and *.test.
const allow = effectiveAllow(
  ['*.test'],
  ['registry.test', 'loopback.test', 'metadata.test', 'intranet.test', 'public.test'],
)
const proxy = openEgressProxy({
  unix: socketPath,
  allow,
  // Only the registry's name is a stand-in; the same loopback address under another name is refused.
  standins: new Map([['registry.test', { hostname: '127.0.0.1', port: upstream.port }]]),
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
    const reply = await through('CONNECT registry.test:443 HTTP/1.1\r\nHost: x\r\n\r\nhello', 'echo:hello')
    expect(reply).toStartWith('HTTP/1.1 200 Connection Established\r\n\r\n')
    expect(reply).toContain('echo:hello')
  })

  test('refuses hosts off the list, private, loopback and metadata addresses after resolution, and plain HTTP', async () => {
    const before = received.length
    for (const [request, status] of [
      ['CONNECT elsewhere.test:443 HTTP/1.1\r\n\r\n', '403'],
      [`CONNECT registry.test:${upstream.port} HTTP/1.1\r\n\r\n`, '403'],
      ['CONNECT registry.test:80 HTTP/1.1\r\n\r\n', '403'],
      ['CONNECT loopback.test:443 HTTP/1.1\r\n\r\n', '403'],
      ['CONNECT metadata.test:443 HTTP/1.1\r\n\r\n', '403'],
      ['CONNECT intranet.test:443 HTTP/1.1\r\n\r\n', '403'],
      [`CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\n\r\n`, '403'],
      ['CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n', '403'],
      ['GET http://registry.test/ HTTP/1.1\r\n\r\n', '405'],
    ] as const)
      expect({ request, answer: (await through(request)).slice(0, 12) }).toEqual({
        request,
        answer: `HTTP/1.1 ${status}`,
      })
    expect(received.length).toBe(before)
  })
})

describe('egress allowlist: the workspace list within the operator ceiling', () => {
  test('a host is allowed only when both lists allow it', () => {
    expect(effectiveAllow(['registry.npmjs.org', '*.pythonhosted.org'], [])).toEqual([])
    expect(effectiveAllow([], ['registry.npmjs.org'])).toEqual([])
    expect(
      effectiveAllow(
        ['registry.npmjs.org', '*.pythonhosted.org', '*.github.com'],
        ['registry.npmjs.org', 'files.pythonhosted.org', '*.example.org', '*.api.github.com', 'Github.com'],
      ),
    ).toEqual(['*.api.github.com', 'files.pythonhosted.org', 'registry.npmjs.org'])
    // A lookalike is not a subdomain.
    expect(effectiveAllow(['*.npmjs.org'], ['evilnpmjs.org', 'npmjs.org'])).toEqual([])
  })

  test('the operator ceiling and the test stand-ins are validated at start, naming the variable', () => {
    expect(parseCeiling(' registry.npmjs.org, *.PythonHosted.org ,')).toEqual([
      'registry.npmjs.org',
      '*.pythonhosted.org',
    ])
    for (const bad of ['10.0.0.1', 'registry.npmjs.org:8443', '*.org', 'localhost'])
      expect(() => parseCeiling(bad)).toThrow('BOSUN_RUNNER_EGRESS_ALLOW')
    expect(parseStandins('registry.test=127.0.0.1:4873').get('registry.test')).toEqual({
      hostname: '127.0.0.1',
      port: 4873,
    })
    expect(() => parseStandins('registry.test=somewhere')).toThrow('BOSUN_RUNNER_EGRESS_STANDINS')
  })
})
