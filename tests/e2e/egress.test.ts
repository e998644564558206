import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createAicaClient } from '@bosun/clients/aica'
import { seedAgentWorkspace } from '@bosun/testkit/agent-workspace'
import { type ByteCanary, type EchoStandin, startByteCanary, startEchoStandin } from '@bosun/testkit/canary'
import { egressScripts } from '@bosun/testkit/model/hostile'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * The egress proxy offers exactly the hosts both the workspace (its allowlist in aica) and the runner's
 * operator (`BOSUN_RUNNER_EGRESS_ALLOW`) allow. Each host is a local stand-in (`BOSUN_RUNNER_EGRESS_STANDINS`,
 * test only): the allowed one echoes, the others count every byte and must get none. The agent is a
 * planted issue played by the scripted model with the real opencode in bubblewrap.
 */
let stack: Stack
let model: ScriptedModel
let registry: EchoStandin
const refused: Record<string, ByteCanary> = {}
const WS = 'e2e-egress'
const REPO = 'demo-org/demo-repo'
const KEY = 'sk-egress-e2e-7c3f19'
const HOSTS = ['registry.test', 'workspace-only.test', 'operator-only.test', 'unlisted.test']

const aica = () =>
  createAicaClient({
    baseUrl: stack.services.aica!.url,
    headers: { authorization: `Bearer ${stack.bootstrapKey}` },
  })

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: KEY })
  for (const script of egressScripts(HOSTS)) model.addScript(script)
  registry = startEchoStandin()
  for (const host of HOSTS.slice(1)) refused[host] = startByteCanary()
  const standins = [
    `registry.test=127.0.0.1:${registry.port}`,
    ...Object.entries(refused).map(([host, c]) => `${host}=127.0.0.1:${c.port}`),
  ]
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'webhooks', 'runner'],
    env: {
      BOSUN_RUNNER_IDLE_MS: '500',
      BOSUN_RUNNER_SANDBOX: 'bwrap',
      BOSUN_RUNNER_EGRESS_ALLOW: 'registry.test,operator-only.test',
      BOSUN_RUNNER_EGRESS_STANDINS: standins.join(','),
    },
  })
  await seedAgentWorkspace(stack, {
    id: WS,
    name: 'E2E egress',
    repo: REPO,
    model: { url: model.url, apiKey: KEY },
    autoTriggerFromAnyone: true,
  })
}, 120_000)

afterAll(async () => {
  await stack?.stop()
  await model?.stop()
  registry?.stop()
  for (const c of Object.values(refused)) c.stop()
}, 60_000)

const snapshot = async (id: string) =>
  (await aica().GET('/api/agent-sessions/{id}', { params: { path: { id } } })).data
type Snapshot = NonNullable<Awaited<ReturnType<typeof snapshot>>>

/** Opens an issue labeled for auto-dispatch and waits for its thread to end. */
async function fromIssue(body: string): Promise<Snapshot> {
  const s = stack.github!.state
  const issue = s.addIssue(REPO, { title: 'Dependencies', body })
  s.addLabels(s.requireRepo(REPO), issue, ['bosun:trigger'], { notify: true })
  const thread = (await waitFor(
    async () => {
      const list = await aica().GET('/api/agent-sessions', { params: { query: { workspace: WS } } })
      return list.data?.results.find((t) => t.userId === 'aica:auto' && t.prompt.includes(`#${issue.number}`))
    },
    30_000,
    'the auto-dispatched thread',
  ))!
  return (await waitFor(
    async () => {
      const data = await snapshot(thread.id)
      return data && ['completed', 'failed', 'stopped'].includes(data.thread.status) ? data : undefined
    },
    120_000,
    `thread ${thread.id} to end`,
  ))!
}

function probeResults(detail: Snapshot) {
  const out = detail.items.map((i) => (i.body.kind === 'tool_result' ? i.body.output : '')).join('\n')
  return Object.fromEntries([...out.matchAll(/^PROBE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]))
}

const refusedBytes = () => Object.fromEntries(Object.entries(refused).map(([h, c]) => [h, c.bytes]))

describe('egress allowlist', () => {
  test('the agent reaches a host both lists allow, and no host only one list (or neither) allows', async () => {
    const set = await aica().PUT('/api/aica/egress', {
      body: { workspace: WS, hosts: ['registry.test', 'workspace-only.test'] },
    })
    expect(set.response.status).toBe(200)
    const done = await fromIssue('Try the package registries and report which answer.')
    const got = probeResults(done)
    expect(got['probe']).toBe('done')
    expect(got['egress-proxy']).toMatch(/^127\.0\.0\.1:\d+$/)
    expect({
      registry: got['egress:registry.test'],
      workspaceOnly: got['egress:workspace-only.test'],
      operatorOnly: got['egress:operator-only.test'],
      unlisted: got['egress:unlisted.test'],
    }).toEqual({ registry: 'yes', workspaceOnly: 'no', operatorOnly: 'no', unlisted: 'no' })
    expect(registry.bytes).toBeGreaterThan(0)
    expect(refusedBytes()).toEqual({ 'workspace-only.test': 0, 'operator-only.test': 0, 'unlisted.test': 0 })
    const sandbox = done.items.find((i) => i.body.kind === 'sandbox')?.body
    expect(sandbox?.kind === 'sandbox' && sandbox.backend).toBe('bwrap')
    expect(JSON.stringify(sandbox)).toContain(
      'egress proxy (HTTPS_PROXY, CONNECT to port 443 only) to registry.test:',
    )
  }, 180_000)

  test('a workspace that allows no host gets no egress proxy at all', async () => {
    expect(
      (await aica().PUT('/api/aica/egress', { body: { workspace: WS, hosts: [] } })).response.status,
    ).toBe(200)
    const before = registry.bytes
    const done = await fromIssue('Try the package registries and report which answer.')
    const got = probeResults(done)
    expect(got['probe']).toBe('done')
    expect(got['egress-proxy']).toBe('none')
    for (const host of HOSTS)
      expect({ host, reached: got[`egress:${host}`] }).toEqual({ host, reached: 'no' })
    expect(registry.bytes).toBe(before)
    expect(refusedBytes()).toEqual({ 'workspace-only.test': 0, 'operator-only.test': 0, 'unlisted.test': 0 })
    const note = done.items.find((i) => i.body.kind === 'sandbox')?.body
    expect(JSON.stringify(note)).toContain('no egress proxy')
  }, 180_000)
})
