import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { githubTokenRpc } from '@bosun/contracts/auth'
import { extraEnvRpc } from '@bosun/contracts/relay'
import { NATS_AUTH_CONF, NATS_USERS, natsServerBinary } from '@bosun/testkit/nats'
import { freePort, waitFor } from '@bosun/testkit/wait'
import { connect, type NatsConnection } from 'nats'
import { ensureAicaWorkQueue } from '../src/aica-work-queue'
import { type Bus, connectBus } from '../src/bus'
import { createLogger } from '../src/log'

/**
 * The production NATS authorization (infra/nats/auth.conf) on a real nats-server, with the services'
 * own bus: each service connects as its user and does its work; a credential of one service cannot call
 * another's private requests or read the answers and work messages meant for another.
 */
const USERS = NATS_USERS
const password = (user: string) => `pw-${user}-${crypto.randomUUID()}`
const passwords = Object.fromEntries(USERS.map((u) => [u, password(u)]))
let port: number
let dir: string
let server: ReturnType<typeof Bun.spawn>
const buses: Bus[] = []
const raw: NatsConnection[] = []
const url = (user: string) => `nats://${user}:${passwords[user]}@127.0.0.1:${port}`
const bus = async (user: string) => {
  const b = await connectBus({
    url: url(user),
    name: user,
    version: '0.1.0',
    prefix: 'bosun',
    logger: createLogger(user, 'silent'),
  })
  buses.push(b)
  return b
}
const rawAs = async (user: string) => {
  const nc = await connect({ servers: `127.0.0.1:${port}`, user, pass: passwords[user] })
  raw.push(nc)
  return nc
}

beforeAll(async () => {
  port = await freePort()
  dir = mkdtempSync(join(tmpdir(), 'bosun-nats-auth-'))
  server = Bun.spawn(
    [natsServerBinary(), '-c', NATS_AUTH_CONF, '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    {
      env: Object.fromEntries(USERS.map((u) => [`BOSUN_NATS_${u.toUpperCase()}_PASSWORD`, passwords[u]!])),
      stdout: 'ignore',
      stderr: 'ignore',
    },
  )
  await waitFor(
    async () => {
      const nc = await connect({ servers: `127.0.0.1:${port}`, user: 'ops', pass: passwords.ops }).catch(
        () => undefined,
      )
      await nc?.close()
      return nc !== undefined
    },
    10_000,
    'nats-server with the authorization config',
  )
}, 30_000)

afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {})
  for (const nc of raw) await nc.close().catch(() => {})
  server?.kill()
  await server?.exited
  rmSync(dir, { recursive: true, force: true })
})

/** Resolves with the error that ends a subscription the server refuses. */
const refusedSubscription = async (nc: NatsConnection, subject: string) => {
  const sub = nc.subscribe(subject)
  try {
    for await (const _ of sub) return 'received'
    return 'closed'
  } catch (err) {
    return String(err)
  }
}

describe('NATS authorization (infra/nats/auth.conf)', () => {
  test('each service connects as its own user and reaches what it needs; github-token answers dashboard only', async () => {
    const auth = await bus('auth')
    auth.serve(githubTokenRpc, async () => ({ token: 'gho_only-for-dashboard' }))
    const aica = await bus('aica')
    await ensureAicaWorkQueue(aica)
    aica.serve(extraEnvRpc, async () => ({ state: 'ok' as const, env: { MINE: 'x' } }))
    const runner = await bus('runner')
    await ensureAicaWorkQueue(runner)
    const dashboard = await bus('dashboard')
    await bus('workspace')
    await bus('webhooks')

    expect(await dashboard.request(githubTokenRpc, { userId: 'u1' })).toEqual({
      token: 'gho_only-for-dashboard',
    })
    const relayToken = `bosun_rly_${'A'.repeat(43)}`
    expect(await runner.request(extraEnvRpc, { threadId: 'thr_natsauth1', relayToken })).toEqual({
      state: 'ok',
      env: { MINE: 'x' },
    })
    for (const caller of [runner, aica]) {
      const err = await caller
        .request(githubTokenRpc, { userId: 'u1' }, 2000)
        .catch((e: unknown) => String(e))
      expect(err).toMatch(/permission|timeout/i)
    }
  }, 60_000)

  test("a leaked credential cannot read another service's answers, requests or work", async () => {
    const runner = await rawAs('runner')
    expect(await refusedSubscription(runner, '_INBOX_aica.>')).toMatch(/permission/i)
    expect(await refusedSubscription(runner, '_INBOX_dashboard.>')).toMatch(/permission/i)
    expect(await refusedSubscription(runner, 'bosun.svc.auth.>')).toMatch(/permission/i)
    const dashboard = await rawAs('dashboard')
    expect(await refusedSubscription(dashboard, 'bosun.svc.aica.>')).toMatch(/permission/i)
    expect(await refusedSubscription(dashboard, 'bosun.work.>')).toMatch(/permission/i)
    expect(await refusedSubscription(dashboard, '_INBOX_runner.>')).toMatch(/permission/i)
    expect(await refusedSubscription(dashboard, '>')).toMatch(/permission/i)
    const webhooks = await rawAs('webhooks')
    expect(await refusedSubscription(webhooks, 'bosun.rt.aica.>')).toMatch(/permission/i)
  }, 30_000)
})
