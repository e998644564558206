import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createAicaClient } from '@bosun/clients/aica'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import { githubTokenRpc } from '@bosun/contracts/auth'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { extraEnvRpc } from '@bosun/contracts/relay'
import { subjects } from '@bosun/contracts/subjects'
import { type Bus, connectBus } from '@bosun/service-kit/bus'
import { createLogger } from '@bosun/service-kit/log'
import type { NatsUser } from '@bosun/testkit/nats'
import { takeWork } from '@bosun/testkit/relay-client'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { connect, type Msg, type NatsConnection, type NatsError } from 'nats'

/**
 * The real services on NATS with infra/nats/auth.conf, each as its own user (the test stack's default):
 * a leaked credential of one service cannot call another's private request, and a runner's credential
 * cannot read the extraEnv another runner asked for.
 */
let stack: Stack
const WS = 'e2e-nats-perms'
const REPO = 'demo-org/demo-repo'
const CANARY = `canary-${crypto.randomUUID()}`
const subj = subjects('bosun')
const opened: Array<NatsConnection | Bus> = []

/** A raw connection with a service's credentials and inbox. */
async function rawAs(user: NatsUser) {
  const nc = await connect({ ...natsConnectOptions(stack.natsUrlFor(user)), inboxPrefix: `_INBOX_${user}` })
  opened.push(nc)
  return { nc }
}

async function busAs(user: NatsUser) {
  const bus = await connectBus({
    url: stack.natsUrlFor(user),
    name: user,
    version: '0.1.0',
    prefix: 'bosun',
    logger: createLogger(user, 'silent'),
  })
  opened.push(bus)
  return bus
}

/** How many requests auth's github-token endpoint has received, from the NATS services API. */
async function githubTokenRequests(): Promise<number> {
  const ops = await connect(natsConnectOptions(stack.natsUrl))
  try {
    const reply = await ops.request('$SRV.STATS.bosun-auth', '', { timeout: 2000 })
    const stats = reply.json() as { endpoints: Array<{ subject: string; num_requests: number }> }
    return stats.endpoints.find((e) => e.subject === subj.svc('auth', 'github-token'))?.num_requests ?? 0
  } finally {
    await ops.close()
  }
}

beforeAll(async () => {
  stack = await startStack({ services: ['auth', 'workspace', 'dashboard', 'artifacts', 'aica', 'webhooks'] })
  const headers = { authorization: `Bearer ${stack.bootstrapKey}` }
  const admin = createWorkspaceClient({ baseUrl: stack.services.workspace!.url, headers })
  expect(
    (await admin.POST('/api/workspaces', { body: { id: WS, name: 'E2E NATS permissions' } })).response.status,
  ).toBe(201)
  await admin.POST('/api/workspaces/{id}/repositories', {
    params: { path: { id: WS } },
    body: { fullName: REPO, isDefaultForAgents: true },
  })
}, 120_000)

afterAll(async () => {
  for (const c of opened) await c.close().catch(() => {})
  await stack?.stop()
}, 60_000)

describe('NATS permissions with the real services', () => {
  test("auth's github-token answers dashboard's credential and no other service's", async () => {
    const before = await githubTokenRequests()
    const dashboard = await busAs('dashboard')
    // auth itself answers (no token stored for this user): the request reached it.
    const answer = await dashboard
      .request(githubTokenRpc, { userId: 'usr_nobody' })
      .catch((e: { code?: string }) => e.code)
    expect(answer).toBe('not_found')
    expect(await githubTokenRequests()).toBe(before + 1)

    for (const user of ['aica', 'webhooks', 'artifacts', 'workspace', 'runner'] as const) {
      const { nc } = await rawAs(user)
      const refusal = await nc
        .request(subj.svc('auth', 'github-token'), JSON.stringify({ userId: 'usr_nobody' }), {
          timeout: 5000,
        })
        .then(() => undefined)
        .catch((e: NatsError) => e)
      expect(refusal?.permissionContext).toEqual({
        operation: 'publish',
        subject: subj.svc('auth', 'github-token'),
        queue: undefined,
      })
    }
    // None of the refused requests reached auth.
    expect(await githubTokenRequests()).toBe(before + 1)
  }, 60_000)

  test("a runner's credential cannot read the extraEnv another runner asked for", async () => {
    const dispatched = await createAicaClient({
      baseUrl: stack.services.aica!.url,
      headers: { authorization: `Bearer ${stack.bootstrapKey}` },
    }).POST('/api/agent-sessions', {
      body: { workspace: WS, prompt: 'Say hello.', extraEnv: { MY_TOKEN: CANARY } },
    })
    expect(dispatched.response.status).toBe(201)
    const threadId = dispatched.data!.thread.id
    let work = await takeWork(stack.natsUrl, 'normal')
    while (work && work.data.threadId !== threadId) work = await takeWork(stack.natsUrl, 'normal')
    expect(work).toBeDefined()

    // Another runner (same NATS user) listens on every runner inbox and tries aica's requests directly.
    const { nc: eavesdropper } = await rawAs('runner')
    const overheard: Msg[] = []
    const sub = eavesdropper.subscribe('_INBOX_runner.>', { callback: (_, m) => overheard.push(m) })
    await eavesdropper.flush()
    expect(
      await new Promise<string>((resolve) => {
        eavesdropper.subscribe(subj.svc('aica', '>'), {
          callback: (err) => resolve(err ? String(err) : 'received'),
        })
        void eavesdropper.flush()
      }),
    ).toMatch(/permission/i)

    const requester = await busAs('runner')
    await eavesdropper.flush()
    overheard.length = 0
    const answer = await requester.request(extraEnvRpc, { threadId, relayToken: work!.data.relayToken })
    expect(answer).toMatchObject({ state: 'ok', env: { MY_TOKEN: CANARY } })

    // The answer passed the shared inbox, sealed: the eavesdropper holds bytes it cannot open.
    const isJson = (m: Msg) => {
      try {
        JSON.parse(Buffer.from(m.data).toString())
        return true
      } catch {
        return false
      }
    }
    await waitFor(() => overheard.some((m) => !isJson(m)), 5000, 'the sealed answer to pass the shared inbox')
    sub.unsubscribe()
    for (const m of overheard) expect(Buffer.from(m.data).toString('latin1')).not.toContain(CANARY)
    // Asked without a key of its own, aica refuses before it looks at the thread.
    const bare = await eavesdropper
      .request(subj.svc('aica', 'extra-env'), JSON.stringify({ threadId, relayToken: work!.data.relayToken }))
      .then((m) => m.headers?.get('Nats-Service-Error-Code'))
    expect(bare).toBe('400')
  }, 60_000)

  test("only aica asks runners for a worktree's files: a runner's credential may answer such reads, never ask", async () => {
    const read = `${subj.rt('runner', 'read')}.wt_someoneelses0001`
    for (const [user, subject] of [
      ['runner', read],
      ['runner', subj.svc('runner', 'read-backup')],
      ['webhooks', read],
      ['dashboard', subj.svc('runner', 'read-backup')],
    ] as const) {
      const { nc } = await rawAs(user)
      const refusal = await nc
        .request(subject, JSON.stringify({ worktreeId: 'wt_someoneelses0001', read: { kind: 'diff' } }), {
          timeout: 5000,
        })
        .then(() => undefined)
        .catch((e: NatsError) => e)
      expect({ user, context: refusal?.permissionContext }).toEqual({
        user,
        context: { operation: 'publish', subject, queue: undefined },
      })
    }
    // aica may ask: nobody holds this worktree, so the server answers "no responders", not a violation.
    const { nc } = await rawAs('aica')
    const asked = await nc
      .request(read, JSON.stringify({}), { timeout: 5000 })
      .then(() => 'answered')
      .catch((e: NatsError) => (e.permissionContext ? 'refused' : e.code))
    expect(asked).toBe('503')
  }, 60_000)
})
