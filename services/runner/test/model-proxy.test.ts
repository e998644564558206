import { afterAll, describe, expect, test } from 'bun:test'
import { openModelRoute } from '../src/proxy/model-proxy'

const seen: string[] = []
const upstream = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req) {
    seen.push(`${req.method} ${new URL(req.url).pathname} ${req.headers.get('authorization')}`)
    return Response.json({ ok: true })
  },
})
const route = openModelRoute(
  { kind: 'openai', baseURL: `http://127.0.0.1:${upstream.port}/v1`, apiKey: 'sk-team' },
  { tcp: true },
)
afterAll(() => {
  route.close()
  upstream.stop(true)
})

describe('model proxy', () => {
  test("forwards model calls with the real key, and nothing else of the provider's API", async () => {
    const call = (method: string, path: string, token = route.token) =>
      fetch(`${route.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      })
    expect((await call('POST', '/chat/completions')).status).toBe(200)
    expect((await call('GET', '/models')).status).toBe(200)
    for (const [method, path] of [
      ['GET', '/files'],
      ['GET', '/files/file-1/content'],
      ['POST', '/batches'],
      ['DELETE', '/models/ft-1'],
      ['GET', '/organization/users'],
    ])
      expect({ path, status: (await call(method!, path!)).status }).toEqual({ path, status: 404 })
    expect((await call('GET', '/models', 'sk-team')).status).toBe(401)
    expect(seen).toEqual(['POST /v1/chat/completions Bearer sk-team', 'GET /v1/models Bearer sk-team'])
  })
})
