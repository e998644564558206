import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { freePort, tempDir } from '@bosun/testkit/wait'
import { createApp } from '../src/app'
import { GatewayEnv } from '../src/env'
import { gatewayServer } from '../src/server'

const logger = createLogger('gateway-test', 'silent')
const SHELL = '<!doctype html><title>Bosun</title>'
const THREAD = 'thr_abcdefgh1234'
const seen: { path: string; auth: string | null }[] = []

/** A stand-in for aica: alice sees the thread, bob does not (404), nobody signed in is 401. */
const aica = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req) {
    const url = new URL(req.url)
    const auth = req.headers.get('authorization')
    seen.push({ path: url.pathname + url.search, auth })
    if (!auth) return Response.json({ error: 'unauthorized', message: 'Sign in first' }, { status: 401 })
    if (auth !== 'Bearer alice' || url.pathname !== `/api/agent-sessions/${THREAD}`)
      return Response.json({ error: 'not_found', message: 'Thread not found' }, { status: 404 })
    return Response.json({ thread: { id: THREAD, worktreeId: 'wt_zyxwvuts9876' }, items: [] })
  },
})
const web = tempDir('gateway-legacy-web-')
await Bun.write(`${web.path}/index.html`, SHELL)
let gateway: ReturnType<typeof Bun.serve>
/** A gateway whose aica is not listening. */
let down: ReturnType<typeof Bun.serve>
let base: string

beforeAll(async () => {
  const env = (aicaUrl: string) =>
    parseEnv(GatewayEnv, {
      PORT: '0',
      BOSUN_AUTH_URL: aicaUrl,
      BOSUN_WORKSPACE_URL: aicaUrl,
      BOSUN_ARTIFACTS_URL: aicaUrl,
      BOSUN_DASHBOARD_URL: aicaUrl,
      BOSUN_AICA_URL: aicaUrl,
      BOSUN_WEBHOOKS_URL: aicaUrl,
      BOSUN_WEB_DIR: web.path,
    })
  gateway = Bun.serve(
    gatewayServer({ env: env(`http://127.0.0.1:${aica.port}`), app: createApp({ logger }), logger }) as never,
  )
  base = `http://127.0.0.1:${gateway.port}`
  down = Bun.serve(
    gatewayServer({
      env: env(`http://127.0.0.1:${await freePort()}`),
      app: createApp({ logger }),
      logger,
    }) as never,
  )
})
afterAll(() => {
  gateway.stop(true)
  down.stop(true)
  aica.stop(true)
  web[Symbol.dispose]()
})

const get = (path: string, who?: string, at = base) =>
  fetch(`${at}${path}`, { redirect: 'manual', headers: who ? { authorization: `Bearer ${who}` } : {} })

describe('the legacy session URL', () => {
  test('answers 301 to the worktree/thread address, asking aica with the caller’s own credentials', async () => {
    const res = await get(`/agent-sessions/${THREAD}?x=1`, 'alice')
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe(
      `/agent-sessions/worktrees/wt_zyxwvuts9876/threads/${THREAD}?x=1`,
    )
    expect(seen.at(-1)).toEqual({ path: `/api/agent-sessions/${THREAD}?limit=1`, auth: 'Bearer alice' })
  })

  test('a thread the caller may not see and one that does not exist are the same 404 page', async () => {
    const hidden = await get(`/agent-sessions/${THREAD}`, 'bob')
    const missing = await get('/agent-sessions/thr_nothinghere00', 'alice')
    expect([hidden.status, missing.status]).toEqual([404, 404])
    expect(await hidden.text()).toBe(SHELL)
    expect(await missing.text()).toBe(SHELL)
    expect(hidden.headers.get('content-security-policy')).toContain("script-src 'self'")
  })

  test('signed out gets the shell (which sends them to sign in); other app paths never ask aica', async () => {
    const res = await get(`/agent-sessions/${THREAD}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(SHELL)
    const before = seen.length
    for (const path of ['/agent-sessions', '/agent-sessions/new', '/agent-sessions/not-a-thread'])
      expect((await get(path, 'alice')).status).toBe(200)
    expect(seen.length).toBe(before)
  })

  test('aica unreachable is a 503 in the error shape', async () => {
    const res = await get(`/agent-sessions/${THREAD}`, 'alice', `http://127.0.0.1:${down.port}`)
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: string }).error).toBe('unavailable')
  })
})
