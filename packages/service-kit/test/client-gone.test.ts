import { expect, test } from 'bun:test'
import { waitFor } from '@bosun/testkit/wait'
import { createServiceApp } from '../src/app'
import type { Logger } from '../src/log'

/** A client that disconnects mid-upload is neither a 500 nor an error line: the answer has nobody to go to. */
test('a body cut off by the client is counted as 499 and logged without an error', async () => {
  const entries: Array<{ level: string; msg: string; route?: unknown; status?: unknown }> = []
  const sink =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, msg, route: fields?.route, status: fields?.status })
    }
  const logger: Logger = {
    debug: sink('debug'),
    info: sink('info'),
    warn: sink('warn'),
    error: sink('error'),
    enabled: () => true,
  }
  let reading = () => {}
  const started = new Promise<void>((resolve) => {
    reading = resolve
  })
  const app = createServiceApp({
    name: 'upload',
    version: '0',
    description: '',
    logger,
    extensionOrigins: [],
    ready: {},
    rawBodyPaths: ['/api/upload'],
  }).post(
    '/api/upload',
    async ({ request }) => {
      const body = request.arrayBuffer()
      reading()
      return (await body).byteLength
    },
    { parse: 'none' },
  )
  app.listen({ port: 0, hostname: '127.0.0.1' })
  try {
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port: app.server!.port!,
      socket: { data() {} },
    })
    socket.write(
      'POST /api/upload HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"a":',
    )
    await started
    socket.end()
    const counted = () =>
      fetch(`http://127.0.0.1:${app.server!.port}/metrics`)
        .then((r) => r.text())
        .then((text) => /route="\/api\/upload",status="(\d+)"/.exec(text)?.[1])
    expect(await waitFor(counted, 5000, 'the cut-off upload to be counted')).toBe('499')
    expect(entries.filter((e) => e.level === 'error')).toEqual([])
    expect(entries.find((e) => e.route === '/api/upload')?.status).toBe(499)
  } finally {
    await app.stop(true)
  }
})
