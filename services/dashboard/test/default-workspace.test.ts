import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { PrPage } from '@bosun/contracts/dashboard'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { createApp } from '../src/app'
import { DashboardEnv } from '../src/env'
import { startDashboard } from '../src/start'

/** An installation with exactly one workspace, read by the admin API key a newcomer is given. */
let stack: Stack
let dash: Awaited<ReturnType<typeof startDashboard>>
let server: ReturnType<ReturnType<typeof createApp>['listen']>
let base: string

beforeAll(async () => {
  stack = await startStack({ services: ['auth', 'workspace'] })
  const env = parseEnv(DashboardEnv, {
    NATS_URL: stack.natsUrlFor('dashboard'),
    DATABASE_URL: `file:${join(stack.dataDir, 'dashboard.db')}`,
    LOG_LEVEL: 'silent',
    PORT: '0',
    GITHUB_API_URL: stack.github!.url,
    GITHUB_APP_ID: stack.github!.app.appId,
    GITHUB_APP_PRIVATE_KEY: stack.github!.app.privateKey,
  })
  dash = await startDashboard(env, createLogger('dashboard-test', 'silent'))
  server = createApp(dash.deps).listen({ port: 0, hostname: '127.0.0.1' })
  base = `http://127.0.0.1:${server.server!.port}`
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await dash?.stop()
  await stack?.stop()
})

const get = (path: string) =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${stack.bootstrapKey}` } })

test("an admin API key without workspace= reads the installation's only workspace, never a 404", async () => {
  const api = (path: string, body: unknown) =>
    fetch(`${stack.services.workspace!.url}/api/workspaces${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  expect((await api('', { id: 'only', name: 'Only' })).status).toBe(201)
  expect((await api('/only/repositories', { fullName: 'demo-org/demo-repo' })).status).toBe(201)
  // The workspace reaches dashboard as an event; until then there is none to default to.
  const res = (await waitFor(
    async () => {
      const r = await get('/api/dashboard/prs?bucket=ready')
      return r.status === 200 ? r : undefined
    },
    10_000,
    'the only workspace',
  ))!
  const page = (await res.json()) as PrPage
  // No check policy: a failing check does not keep a pull request from ready.
  expect(page.workspace).toBe('only')
  expect(page.results.map((r) => r.title).sort()).toEqual([
    'Cache avatars',
    'Upgrade the test runner',
    'Validate the password field',
  ])
})
