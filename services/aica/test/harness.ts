import { join } from 'node:path'
import type { DispatchResult } from '@bosun/contracts/aica'
import type { WorkEnvelope } from '@bosun/contracts/relay'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { takeWork } from '@bosun/testkit/relay-client'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import type { Static } from 'elysia'
import { createApp } from '../src/app'
import { AicaEnv } from '../src/env'
import { startAica } from '../src/start'

export const USERS = ['boss', 'alice', 'bob', 'vic', 'eve'] as const
export type Who = (typeof USERS)[number]
export type Dispatched = Static<typeof DispatchResult>

/**
 * Real auth and workspace processes, aica in this process (so tests can restart it), a real NATS and
 * temp-file databases. boss is an admin; vic is a viewer; eve belongs to no workspace of the others.
 */
export async function startHarness(extraEnv: Record<string, string> = {}) {
  const stack: Stack = await startStack({
    services: ['auth', 'workspace'],
    env: { BOSUN_ADMIN_LOGINS: 'boss' },
  })
  for (const login of USERS) stack.github!.state.addUser(login)
  for (const login of ['alice', 'bob', 'eve']) await invite(stack.publicUrl, stack.bootstrapKey, login)
  await invite(stack.publicUrl, stack.bootstrapKey, 'vic', 'viewer')
  const tokens = {} as Record<Who, string>
  for (const login of USERS) tokens[login] = await signIn(stack.publicUrl, login)
  const wsUrl = stack.services.workspace!.url

  const env = parseEnv(AicaEnv, {
    ...stack.env,
    // One credential for all: the tests use aica's own bus to play artifacts, runners and observers.
    NATS_URL: stack.natsUrl,
    DATABASE_URL: `file:${join(stack.dataDir, 'aica.db')}`,
    BOSUN_DATA_DIR: stack.dataDir,
    LOG_LEVEL: 'silent',
    PORT: '0',
    BOSUN_AICA_CONCURRENCY: '3',
    ...extraEnv,
  })
  const logger = createLogger('aica-test', 'silent')
  let aica = await startAica(env, logger)
  let server = createApp(aica.deps).listen({ port: 0, hostname: '127.0.0.1' })
  let base = `http://127.0.0.1:${server.server!.port}`

  const call = async (method: string, url: string, who: Who | string, body?: unknown) =>
    fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${tokens[who as Who] ?? who}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })

  let counter = 0
  /** A fresh workspace with these members and demo-org/demo-repo as the default repository for agents. */
  const workspace = async (members: Who[]) => {
    const id = `ws-${Date.now().toString(36)}-${++counter}`
    const made = await call('POST', `${wsUrl}/api/workspaces`, 'boss', { id, name: id })
    if (made.status !== 201) throw new Error(`workspace: ${made.status} ${await made.text()}`)
    for (const login of members) {
      const res = await call('POST', `${wsUrl}/api/workspaces/${id}/team-members`, 'boss', { login })
      if (res.status !== 201) throw new Error(`member: ${res.status} ${await res.text()}`)
    }
    const repo = await call('POST', `${wsUrl}/api/workspaces/${id}/repositories`, 'boss', {
      fullName: 'demo-org/demo-repo',
      defaultBranch: 'main',
      isDefaultForAgents: true,
    })
    if (repo.status !== 201) throw new Error(`repo: ${repo.status} ${await repo.text()}`)
    return id
  }

  const pending: WorkEnvelope[] = []
  /** Takes work messages until the one for `threadId` (others are kept for later calls). */
  const workFor = async (threadId: string) => {
    const held = pending.findIndex((w) => w.data.threadId === threadId)
    if (held >= 0) return pending.splice(held, 1)[0]!
    for (;;) {
      const w = await takeWork(stack.natsUrl, 'normal', 10_000)
      if (!w) throw new Error(`no work message for ${threadId}`)
      if (w.data.threadId === threadId) return w
      pending.push(w)
    }
  }

  return {
    stack,
    tokens,
    env,
    get base() {
      return base
    },
    get deps() {
      return aica.deps
    },
    req: (method: string, path: string, who: Who | string, body?: unknown) =>
      call(method, `${base}${path}`, who, body),
    workspace,
    workFor,
    apiKey: (who: Who, scopes: string[]) => createApiKey(stack.publicUrl, tokens[who], scopes),
    async dispatch(who: Who, body: Record<string, unknown>) {
      const res = await call('POST', `${base}/api/agent-sessions`, who, body)
      if (res.status !== 201) throw new Error(`dispatch: ${res.status} ${await res.text()}`)
      return (await res.json()) as Dispatched
    },
    /** A second aica instance on the same database and NATS (as a scaled-out deployment runs). */
    async second() {
      const other = await startAica(env, logger)
      const srv = createApp(other.deps).listen({ port: 0, hostname: '127.0.0.1' })
      return {
        base: `http://127.0.0.1:${srv.server!.port}`,
        async stop() {
          await srv.stop(true)
          await other.stop()
        },
      }
    },
    /** Stops aica and starts a fresh instance on the same database, as a restart would. */
    async restart() {
      await server.stop(true)
      await aica.stop()
      aica = await startAica(env, logger)
      server = createApp(aica.deps).listen({ port: 0, hostname: '127.0.0.1' })
      base = `http://127.0.0.1:${server.server!.port}`
    },
    async stop() {
      await server.stop(true)
      await aica.stop()
      await stack.stop()
    },
  }
}
export type Harness = Awaited<ReturnType<typeof startHarness>>
