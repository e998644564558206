import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { EGRESS_MAX_HOSTS } from '@bosun/contracts/aica-admin'
import { type Harness, startHarness } from './harness'

setDefaultTimeout(60_000)

let h: Harness
let ws: string

beforeAll(async () => {
  h = await startHarness()
  ws = await h.workspace(['alice', 'vic'])
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

const put = (hosts: unknown, who: 'boss' | 'alice' | 'eve' = 'boss', workspace = ws) =>
  h.req('PUT', '/api/aica/egress', who, { workspace, hosts })

describe('workspace egress allowlist', () => {
  test('starts empty; an admin sets it (normalized), members and viewers read it', async () => {
    const empty = await h.req('GET', `/api/aica/egress?workspace=${ws}`, 'alice')
    expect(await empty.json()).toEqual({ workspaceId: ws, hosts: [], updatedBy: null, updatedAt: null })
    const set = await put(['Registry.npmjs.org', '*.pythonhosted.org', 'registry.npmjs.org'])
    expect(set.status).toBe(200)
    const want = { workspaceId: ws, hosts: ['*.pythonhosted.org', 'registry.npmjs.org'], updatedBy: 'boss' }
    expect(await set.json()).toMatchObject(want)
    for (const who of ['alice', 'vic'] as const) {
      const read = await h.req('GET', `/api/aica/egress?workspace=${ws}`, who)
      expect({ who, status: read.status, body: await read.json() }).toMatchObject({
        who,
        status: 200,
        body: want,
      })
    }
  })

  test('refuses IP addresses, ports, URLs, broad wildcards and too many hosts with 400', async () => {
    for (const bad of [
      '127.0.0.1',
      '169.254.169.254',
      '[::1]',
      'registry.npmjs.org:8080',
      'https://registry.npmjs.org',
      '*.com',
      'localhost',
      'a..b',
      '-bad.example.org',
      `${'x'.repeat(250)}.org`,
    ]) {
      const res = await put([bad])
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 })
      expect(await res.json()).toMatchObject({ error: 'invalid_request' })
    }
    const many = Array.from({ length: EGRESS_MAX_HOSTS + 1 }, (_, i) => `h${i}.example.org`)
    expect((await put(many)).status).toBe(400)
    expect((await put('registry.npmjs.org')).status).toBe(400)
    // Nothing of the refused lists was stored.
    const read = (await (await h.req('GET', `/api/aica/egress?workspace=${ws}`, 'alice')).json()) as {
      hosts: string[]
    }
    expect(read.hosts).toEqual(['*.pythonhosted.org', 'registry.npmjs.org'])
  })

  test('a member may not write it (403); a non-member neither reads nor writes it (404)', async () => {
    expect((await put(['evil.example.org'], 'alice')).status).toBe(403)
    expect((await put(['evil.example.org'], 'eve')).status).toBe(403)
    expect((await h.req('GET', `/api/aica/egress?workspace=${ws}`, 'eve')).status).toBe(404)
    const evesOwn = await h.workspace([])
    expect((await h.req('GET', `/api/aica/egress?workspace=${evesOwn}`, 'alice')).status).toBe(404)
    expect((await put(['x.example.org'], 'boss', 'ws-does-not-exist')).status).toBe(404)
  })

  test('the work handed to a runner carries the list; a workspace without one carries none', async () => {
    const withList = await h.dispatch('alice', { workspace: ws, prompt: 'install deps' })
    expect((await h.workFor(withList.thread.id)).data.egressAllow).toEqual([
      '*.pythonhosted.org',
      'registry.npmjs.org',
    ])
    const other = await h.workspace(['alice'])
    const without = await h.dispatch('alice', { workspace: other, prompt: 'install deps' })
    expect((await h.workFor(without.thread.id)).data.egressAllow).toBeUndefined()
    expect((await put([], 'boss')).status).toBe(200)
    const cleared = await h.dispatch('alice', { workspace: ws, prompt: 'again' })
    expect((await h.workFor(cleared.thread.id)).data.egressAllow).toBeUndefined()
  })
})
