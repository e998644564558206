import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { join } from 'node:path'
import { bundleAgentsRpc, dispatchRpc, type Thread } from '@bosun/contracts/aica'
import type { BundleList } from '@bosun/contracts/bundle'
import { githubWebhook } from '@bosun/contracts/github'
import {
  AICA_WORK_MAX_DELIVER,
  AICA_WORK_STREAM,
  aicaWorkConsumer,
  backupRpc,
  bundleRpc,
  extraEnvRpc,
  type Item,
  type WorkEnvelope,
} from '@bosun/contracts/relay'
import { eventHeaders } from '@bosun/service-kit/bus'
import { openRelay, takeWork } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { eq } from 'drizzle-orm'
import { sharedCredsForRunner } from '../src/admin/creds'
import { items } from '../src/db/schema'
import { type Harness, startHarness, type Who } from './harness'

// Suites start real processes and restart services; 5 s is too tight on a shared machine.
setDefaultTimeout(60_000)

let h: Harness

beforeAll(async () => {
  h = await startHarness()
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

const getThread = async (id: string, who: Who = 'alice') =>
  (await (await h.req('GET', `/api/agent-sessions/${id}`, who)).json()) as { thread: Thread; items: Item[] }

describe('concurrency registry', () => {
  test('dispatches past the limit stay queued until an archive frees a slot', async () => {
    const ws = await h.workspace(['alice'])
    const first = []
    for (let i = 0; i < 3; i++) first.push(await h.dispatch('alice', { workspace: ws, prompt: `job ${i}` }))
    const extra = await h.dispatch('alice', { workspace: ws, prompt: 'job 3', priority: 'normal' })
    for (const d of first) expect((await getThread(d.thread.id)).thread.status).toBe('starting')
    expect((await getThread(extra.thread.id)).thread.status).toBe('queued')
    expect((await h.req('POST', `/api/agent-sessions/${first[0]!.thread.id}/archive`, 'alice')).status).toBe(
      200,
    )
    await waitFor(
      async () => (await getThread(extra.thread.id)).thread.status === 'starting',
      10_000,
      'a freed slot',
    )
    const work = await h.workFor(extra.thread.id)
    expect(work.data.prompt).toBe('job 3')
    for (const d of first) await h.workFor(d.thread.id)
  })

  test('a freed slot goes to the highest priority first, on its own subject', async () => {
    const ws = await h.workspace(['alice'])
    const live = []
    for (let i = 0; i < 3; i++) live.push(await h.dispatch('alice', { workspace: ws, prompt: `busy ${i}` }))
    for (const d of live) await h.workFor(d.thread.id)
    const low = await h.dispatch('alice', { workspace: ws, prompt: 'low', priority: 'low' })
    const high = await h.dispatch('alice', { workspace: ws, prompt: 'high', priority: 'high' })
    await h.req('POST', `/api/agent-sessions/${live[0]!.thread.id}/stop`, 'alice')
    const work = await takeWork(h.stack.natsUrl, 'high')
    expect(work?.data).toMatchObject({ threadId: high.thread.id, priority: 'high' })
    expect((await getThread(low.thread.id)).thread.status).toBe('queued')
    await h.req('POST', `/api/agent-sessions/${live[1]!.thread.id}/stop`, 'alice')
    expect((await takeWork(h.stack.natsUrl, 'low'))?.data.threadId).toBe(low.thread.id)
  })
})

describe('for other services', () => {
  test('dispatch over NATS for a member; every status move is an aica.thread.status event', async () => {
    const ws = await h.workspace(['alice'])
    const seen: Array<{ threadId: string; status: string; seq: number }> = []
    const sub = h.deps.bus.nc.subscribe(h.deps.bus.subjects.evt('aica', 'thread', 'status'))
    ;(async () => {
      for await (const m of sub)
        seen.push((m.json() as { data: { threadId: string; status: string; seq: number } }).data)
    })()
    // alice's user id, as the calling service would know it.
    const mine = await h.dispatch('alice', { workspace: ws, prompt: 'who am i' })
    await h.workFor(mine.thread.id)
    const aliceId = mine.thread.userId
    const { threadId } = await h.deps.bus.request(dispatchRpc, {
      workspaceId: ws,
      userId: aliceId,
      login: 'alice',
      prompt: 'Write the brief',
    })
    expect((await getThread(threadId)).thread).toMatchObject({
      userLogin: 'alice',
      prompt: 'Write the brief',
    })
    await h.workFor(threadId)
    await expect(
      h.deps.bus.request(dispatchRpc, { workspaceId: ws, userId: 'u_x', login: 'eve', prompt: 'x' }),
    ).rejects.toThrow()
    await waitFor(() => seen.filter((e) => e.threadId === threadId).length >= 2, 10_000, 'status events')
    expect(seen.filter((e) => e.threadId === threadId).map((e) => [e.status, e.seq])).toEqual([
      ['queued', 1],
      ['starting', 3],
    ])
    sub.unsubscribe()
  })
})

describe('for the artifacts service', () => {
  test('an asAuto dispatch is a team thread by aica:auto; its idle event carries the final answer', async () => {
    const ws = await h.workspace(['alice'])
    const seen: Array<{ threadId: string; status: string; answer?: string }> = []
    const sub = h.deps.bus.nc.subscribe(h.deps.bus.subjects.evt('aica', 'thread', 'status'))
    ;(async () => {
      for await (const m of sub) seen.push((m.json() as { data: (typeof seen)[number] }).data)
    })()
    const mine = await h.dispatch('alice', { workspace: ws, prompt: 'who am i' })
    await h.workFor(mine.thread.id)
    const { threadId } = await h.deps.bus.request(dispatchRpc, {
      workspaceId: ws,
      userId: mine.thread.userId,
      login: 'alice',
      prompt: 'Write the issue brief',
      asAuto: true,
    })
    expect((await getThread(threadId)).thread).toMatchObject({ userId: 'aica:auto', visibility: 'team' })
    const work = await h.workFor(threadId)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    relay.status(threadId, 'running')
    await relay.item(threadId, 'a', { kind: 'assistant_text', text: 'Let me look.' })
    await relay.item(threadId, 'b', { kind: 'tool_call', callId: 'c1', tool: 'read', input: {} })
    await relay.item(threadId, 'c', { kind: 'assistant_text', text: '# Brief' })
    await relay.item(threadId, 'd', { kind: 'reasoning', text: 'thinking' })
    await relay.item(threadId, 'e', { kind: 'assistant_text', text: 'The end.' })
    relay.status(threadId, 'idle')
    const idle = await waitFor(
      () => seen.find((e) => e.threadId === threadId && e.status === 'idle'),
      10_000,
      'the idle event',
    )
    expect(idle?.answer).toBe('# Brief\n\nThe end.')
    expect(seen.find((e) => e.threadId === threadId && e.status === 'running')?.answer).toBeUndefined()
    sub.unsubscribe()
    relay.close()

    // The service's own automatic work needs no member; an unknown workspace still fails.
    const auto = await h.deps.bus.request(dispatchRpc, {
      workspaceId: ws,
      userId: 'aica:auto',
      login: 'aica:auto',
      prompt: 'Regenerate',
      asAuto: true,
    })
    expect((await getThread(auto.threadId)).thread.userId).toBe('aica:auto')
    await h.workFor(auto.threadId)
    await expect(
      h.deps.bus.request(dispatchRpc, {
        workspaceId: 'no-such-ws',
        userId: 'aica:auto',
        login: 'aica:auto',
        prompt: 'x',
        asAuto: true,
      }),
    ).rejects.toThrow()
  })

  test('bundle-agents names the agents of a workspace bundle', async () => {
    const ws = await h.workspace(['alice'])
    expect(await h.deps.bus.request(bundleAgentsRpc, { workspaceId: ws })).toEqual({ names: [] })
    const made = await h.req('POST', '/api/aica/bundle/agents', 'boss', {
      workspace: ws,
      name: 'issue-brief',
      content: 'You write issue briefs.',
    })
    expect(made.status).toBe(201)
    expect(await h.deps.bus.request(bundleAgentsRpc, { workspaceId: ws })).toEqual({ names: ['issue-brief'] })
  })
})

describe('lost work', () => {
  test('a work message no runner completes fails its thread with runner_lost', async () => {
    const ws = await h.workspace(['alice'])
    const d = await h.dispatch('alice', { workspace: ws, prompt: 'nobody finishes me' })
    const nc = h.deps.bus.nc
    const consumer = await nc.jetstream().consumers.get(AICA_WORK_STREAM, aicaWorkConsumer('normal'))
    for (let i = 0; i < AICA_WORK_MAX_DELIVER; i++) {
      const m = await consumer.next({ expires: 5000 })
      expect((m?.json() as WorkEnvelope | undefined)?.data.threadId).toBe(d.thread.id)
      m!.nak()
    }
    // The server gives up when it would deliver a sixth time, i.e. on the next pull by any runner.
    expect(await consumer.next({ expires: 1000 })).toBeNull()
    await waitFor(
      async () => (await getThread(d.thread.id)).thread.status === 'failed',
      15_000,
      'runner_lost',
    )
    expect((await getThread(d.thread.id)).thread.error?.code).toBe('runner_lost')
  })
})

describe('fork, backup and clone', () => {
  test('fork copies items up to the chosen one; clone restores from the latest backup', async () => {
    const ws = await h.workspace(['alice'])
    const d = await h.dispatch('alice', { workspace: ws, prompt: 'start' })
    const work = await h.workFor(d.thread.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    relay.send({ v: 1, type: 'sandbox', worktreeId: d.worktree.id, backend: 'none', note: 'bwrap missing' })
    relay.status(d.thread.id, 'running')
    const keep = await relay.item(d.thread.id, 'a', { kind: 'assistant_text', text: 'first' })
    await relay.item(d.thread.id, 'b', { kind: 'assistant_text', text: 'second' })
    relay.status(d.thread.id, 'idle')

    const items = (await getThread(d.thread.id)).items
    // The sandbox backend is on the worktree and, as spec 003 does, an item on the thread.
    expect(items.map((i) => i.body)).toContainEqual({
      kind: 'sandbox',
      backend: 'none',
      note: 'bwrap missing',
    })
    const wtView = (await (await h.req('GET', `/api/worktrees/${d.worktree.id}`, 'alice')).json()) as {
      worktree: { sandbox: unknown }
    }
    expect(wtView.worktree.sandbox).toEqual({ backend: 'none', note: 'bwrap missing' })
    const at = items.find((i) => i.seq === keep)!
    const forked = await h.req('POST', `/api/agent-sessions/${d.thread.id}/fork`, 'alice', {
      itemId: at.id,
      prompt: 'try another way',
    })
    expect(forked.status).toBe(201)
    const fork = (await forked.json()) as Thread
    expect(fork.forkOf).toEqual({ threadId: d.thread.id, atSeq: keep })
    const forkItems = (await getThread(fork.id)).items
    expect(forkItems.slice(0, keep).map((i) => i.body)).toEqual(items.slice(0, keep).map((i) => i.body))
    expect(forkItems.slice(keep).map((i) => i.body)).toEqual([
      { kind: 'status', status: 'queued' },
      { kind: 'user_message', text: 'try another way', by: 'alice' },
      { kind: 'status', status: 'starting' },
    ])
    expect((await h.workFor(fork.id)).data.forkOf).toEqual({ threadId: d.thread.id, atSeq: keep })
    // Keep under the workspace's limit of 3 live threads for the clone and the last dispatch below.
    expect((await h.req('POST', `/api/agent-sessions/${fork.id}/archive`, 'alice')).status).toBe(200)
    const badFork = await h.req('POST', `/api/agent-sessions/${d.thread.id}/fork`, 'alice', {
      itemId: 'itm_nope',
    })
    expect(badFork.status).toBe(404)

    expect(
      (await h.req('POST', `/api/worktrees/${d.worktree.id}/clone`, 'alice', { prompt: 'x' })).status,
    ).toBe(409)
    const bundle = Buffer.from('# v2 git bundle\nfake but opaque bytes')
    const sha256 = new Bun.CryptoHasher('sha256').update(bundle).digest('hex')
    const headSha = 'a'.repeat(40)
    relay.send({
      v: 1,
      type: 'backup',
      worktreeId: d.worktree.id,
      ref: 'bosun/work',
      headSha,
      bundle: bundle.toString('base64'),
      sha256: 'b'.repeat(64),
    })
    expect((await relay.next('error')).message).toContain('sha256')
    relay.send({
      v: 1,
      type: 'backup',
      worktreeId: d.worktree.id,
      ref: 'bosun/work',
      headSha,
      bundle: bundle.toString('base64'),
      sha256,
    })
    await waitFor(async () => {
      const res = await h.req('GET', `/api/worktrees/${d.worktree.id}`, 'alice')
      return ((await res.json()) as { worktree: { latestBackup: unknown } }).worktree.latestBackup
    })
    const cloned = await h.req('POST', `/api/worktrees/${d.worktree.id}/clone`, 'alice', {
      prompt: 'continue elsewhere',
    })
    expect(cloned.status).toBe(201)
    const clone = (await cloned.json()) as {
      thread: Thread
      worktree: { id: string; restoredFrom: string; ref: string }
    }
    expect(clone.worktree).toMatchObject({ restoredFrom: d.worktree.id, ref: 'bosun/work' })
    const cloneWork = await h.workFor(clone.thread.id)
    expect(cloneWork.data.restoreFrom).toBe(d.worktree.id)
    const restored = await h.deps.bus.request(backupRpc, {
      worktreeId: d.worktree.id,
      relayToken: cloneWork.data.relayToken,
    })
    expect(Buffer.from(restored.bundle, 'base64').equals(bundle)).toBe(true)
    expect(restored).toMatchObject({ sha256, headSha, ref: 'bosun/work' })
    // Another worktree's token cannot read it.
    const other = await h.dispatch('alice', { workspace: ws, prompt: 'other' })
    const otherWork = await h.workFor(other.thread.id)
    await expect(
      h.deps.bus.request(backupRpc, { worktreeId: d.worktree.id, relayToken: otherWork.data.relayToken }),
    ).rejects.toThrow()
    relay.close()
  })
})

describe('bundle', () => {
  test('versioned items per workspace with validated names and paths; dispatch records the digest', async () => {
    const ws = await h.workspace(['alice', 'vic'])
    const path = `/api/aica/bundle/agents`
    const created = await h.req('POST', path, 'boss', {
      workspace: ws,
      name: 'reviewer',
      content: 'You review.',
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({
      name: 'reviewer',
      path: '.opencode/agent/reviewer.md',
      version: 1,
    })
    expect(
      (await h.req('POST', path, 'boss', { workspace: ws, name: 'reviewer', content: 'x' })).status,
    ).toBe(409)
    for (const bad of [
      { name: '..', content: 'x' },
      { name: 'a/b', content: 'x' },
      { name: 'ok', path: '/etc/passwd', content: 'x' },
      { name: 'ok', path: '../escape.md', content: 'x' },
      { name: 'ok', path: 'a/../../b.md', content: 'x' },
      { name: 'ok', path: 'a\\b.md', content: 'x' },
    ]) {
      const res = await h.req('POST', '/api/aica/bundle/files', 'boss', { workspace: ws, ...bad })
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 })
    }
    expect(
      (await h.req('POST', '/api/aica/bundle/files', 'boss', { workspace: ws, name: 'nopath', content: 'x' }))
        .status,
    ).toBe(400)
    const list1 = (await (await h.req('GET', `${path}?workspace=${ws}`, 'vic')).json()) as BundleList
    const put = await h.req('PUT', `${path}/reviewer`, 'boss', {
      workspace: ws,
      content: 'You review carefully.',
      version: 1,
    })
    expect(put.status).toBe(200)
    expect(await put.json()).toMatchObject({ version: 2 })
    expect(
      (await h.req('PUT', `${path}/reviewer`, 'boss', { workspace: ws, content: 'stale', version: 1 }))
        .status,
    ).toBe(409)
    const list2 = (await (await h.req('GET', `${path}?workspace=${ws}`, 'alice')).json()) as BundleList
    expect(list2.digest).not.toBe(list1.digest)
    expect((await h.req('POST', path, 'vic', { workspace: ws, name: 'x', content: 'x' })).status).toBe(403)
    expect((await h.req('POST', path, 'alice', { workspace: ws, name: 'x', content: 'x' })).status).toBe(403)
    expect((await h.req('GET', `${path}?workspace=${ws}`, 'eve')).status).toBe(404)
    const big = 'x'.repeat(256 * 1024 + 1)
    expect(
      (await h.req('POST', '/api/aica/bundle/skills', 'boss', { workspace: ws, name: 'big', content: big }))
        .status,
    ).toBe(400)

    const d = await h.dispatch('alice', { workspace: ws, prompt: 'use the bundle' })
    expect(d.thread.bundleDigest).toBe(list2.digest)
    const work = await h.workFor(d.thread.id)
    expect(work.data.bundleDigest).toBe(list2.digest)
    const got = await h.deps.bus.request(bundleRpc, {
      workspaceId: ws,
      digest: list2.digest,
      relayToken: work.data.relayToken,
    })
    expect(got.items).toEqual([
      {
        kind: 'agents',
        name: 'reviewer',
        path: '.opencode/agent/reviewer.md',
        content: 'You review carefully.',
      },
    ])
    expect((await h.req('DELETE', `${path}/reviewer?workspace=${ws}`, 'boss')).status).toBe(204)
    expect((await h.req('DELETE', `${path}/reviewer?workspace=${ws}`, 'boss')).status).toBe(404)
  })
})

describe('admin', () => {
  test('shared credentials are sealed at rest, never returned, and bound to their row', async () => {
    const a = await h.workspace(['alice'])
    const b = await h.workspace(['alice'])
    const secret = `sk-test-${crypto.randomUUID()}`
    const put = await h.req('PUT', '/api/team-shared-creds', 'boss', {
      workspace: a,
      kind: 'openai',
      apiKey: secret,
    })
    expect(put.status).toBe(200)
    const putText = await put.text()
    expect(putText).not.toContain(secret)
    const got = await h.req('GET', `/api/team-shared-creds?workspace=${a}`, 'boss')
    const gotText = await got.text()
    expect(JSON.parse(gotText)).toMatchObject({ workspaceId: a, hasKey: true, kind: 'openai' })
    expect(gotText).not.toContain(secret)
    expect((await h.req('GET', `/api/team-shared-creds?workspace=${a}`, 'alice')).status).toBe(403)
    expect(
      (
        (await (await h.req('GET', `/api/team-shared-creds?workspace=${b}`, 'boss')).json()) as {
          hasKey: boolean
        }
      ).hasKey,
    ).toBe(false)
    await h.req('PUT', '/api/team-shared-creds', 'boss', { workspace: b, kind: 'openai', apiKey: 'sk-other' })
    expect(await sharedCredsForRunner(h.deps, a)).toMatchObject({ apiKey: secret })

    const file = new Database(join(h.stack.dataDir, 'aica.db'))
    const row = (ws: string) =>
      file.query('select sealed from shared_creds where workspace_id = ?').get(ws) as { sealed: string }
    const sealedA = row(a).sealed
    expect(sealedA).not.toContain(secret)
    // A row moved to another workspace fails to open (AAD binds it to its row).
    file.query('update shared_creds set sealed = ? where workspace_id = ?').run(sealedA, b)
    await expect(sharedCredsForRunner(h.deps, b)).rejects.toThrow('failed authentication')
    // A flipped ciphertext byte fails too.
    const [iv, ct] = sealedA.split('.') as [string, string]
    const bytes = Buffer.from(ct, 'base64url')
    bytes[0] = bytes[0]! ^ 1
    file
      .query('update shared_creds set sealed = ? where workspace_id = ?')
      .run(`${iv}.${bytes.toString('base64url')}`, a)
    await expect(sharedCredsForRunner(h.deps, a)).rejects.toThrow('failed authentication')
    file.close()
  })

  test('auto-dispatch: one team thread per delivery, even when the event arrives twice or is redelivered', async () => {
    const ws = await h.workspace(['alice'])
    await h.req('PUT', '/api/team-shared-creds', 'boss', { workspace: ws, kind: 'openai', apiKey: 'sk-team' })
    expect(
      (await h.req('POST', '/api/auto-trigger-repos', 'boss', { workspace: ws, repo: 'demo-org/demo-repo' }))
        .status,
    ).toBe(201)
    expect(
      (await h.req('POST', '/api/auto-trigger-repos', 'boss', { workspace: ws, repo: 'demo-org/demo-repo' }))
        .status,
    ).toBe(409)
    const config = await (await h.req('GET', `/api/auto-trigger-repos?workspace=${ws}`, 'boss')).json()
    expect(config).toMatchObject({ triggerLabel: 'bosun:trigger', repos: [{ repo: 'demo-org/demo-repo' }] })
    const deliveryId = crypto.randomUUID()
    const publish = async (id: string, label: string, redelivery = false) => {
      const data = {
        deliveryId,
        event: 'issues',
        action: 'labeled',
        repository: 'demo-org/demo-repo',
        redelivery,
        payload: {
          issue: { number: 7, title: 'Crash on start', body: 'Stack trace...' },
          label: { name: label },
          // A member of the workspace: new repositories trigger on members only.
          sender: { login: 'alice' },
        },
      }
      const envelope = { id, type: githubWebhook.type, source: 'test', time: new Date().toISOString(), data }
      await h.deps.bus.js.publish(
        h.deps.bus.subjects.evt(githubWebhook.subject(data)),
        JSON.stringify(envelope),
        {
          headers: eventHeaders(id),
        },
      )
    }
    const autoThreads = async () => {
      const res = await h.req('GET', `/api/agent-sessions?workspace=${ws}`, 'alice')
      return ((await res.json()) as { results: Thread[] }).results.filter((t) => t.userId === 'aica:auto')
    }
    await publish(crypto.randomUUID(), 'unrelated')
    const eventId = crypto.randomUUID()
    await publish(eventId, 'bosun:trigger')
    await publish(eventId, 'bosun:trigger')
    await publish(crypto.randomUUID(), 'bosun:trigger', true)
    await waitFor(async () => (await autoThreads()).length > 0, 10_000, 'an auto thread')
    // A later delivery on the same consumer proves it has passed the duplicates (it applies in order).
    const marker = crypto.randomUUID()
    const data = {
      deliveryId: marker,
      event: 'issues',
      action: 'labeled',
      repository: 'demo-org/demo-repo',
      redelivery: false,
      payload: {
        issue: { number: 8, title: 'Another', body: '' },
        label: { name: 'bosun:trigger' },
        sender: { login: 'alice' },
      },
    }
    await h.deps.bus.js.publish(
      h.deps.bus.subjects.evt(githubWebhook.subject(data)),
      JSON.stringify({
        id: marker,
        type: githubWebhook.type,
        source: 'test',
        time: new Date().toISOString(),
        data,
      }),
    )
    await waitFor(async () => (await autoThreads()).length === 2, 10_000, 'the marker thread')
    const labeled = (await autoThreads()).filter((t) => t.prompt.includes('#7'))
    expect(labeled).toHaveLength(1)
    expect(labeled[0]).toMatchObject({
      userLogin: 'aica:auto',
      visibility: 'team',
      repo: 'demo-org/demo-repo',
    })
    const work = await h.workFor(labeled[0]!.id)
    expect(work.data.usesSharedCreds).toBe(true)
    const env = await h.deps.bus.request(extraEnvRpc, {
      threadId: labeled[0]!.id,
      relayToken: work.data.relayToken,
    })
    expect(env).toMatchObject({ state: 'none', provider: { kind: 'openai', apiKey: 'sk-team' } })
  })

  test('auto-dispatch: an issue opened with the trigger label (opened + labeled) gets one live thread', async () => {
    const ws = await h.workspace(['alice'])
    await h.req('POST', '/api/auto-trigger-repos', 'boss', { workspace: ws, repo: 'demo-org/demo-repo' })
    const send = async (action: 'opened' | 'labeled', number: number) => {
      const id = crypto.randomUUID()
      const data = {
        deliveryId: crypto.randomUUID(),
        event: 'issues',
        action,
        repository: 'demo-org/demo-repo',
        redelivery: false,
        payload: {
          issue: { number, title: `Issue ${number}`, body: '' },
          ...(action === 'labeled' ? { label: { name: 'bosun:trigger' } } : {}),
          sender: { login: 'alice' },
        },
      }
      const envelope = { id, type: githubWebhook.type, source: 'test', time: new Date().toISOString(), data }
      await h.deps.bus.js.publish(
        h.deps.bus.subjects.evt(githubWebhook.subject(data)),
        JSON.stringify(envelope),
        {
          headers: eventHeaders(id),
        },
      )
    }
    const autoThreads = async (number: number) => {
      const res = await h.req('GET', `/api/agent-sessions?workspace=${ws}`, 'alice')
      return ((await res.json()) as { results: Thread[] }).results.filter(
        (t) => t.userId === 'aica:auto' && t.prompt.includes(`demo-org/demo-repo#${number}.`),
      )
    }
    await send('opened', 41)
    await waitFor(async () => (await autoThreads(41)).length === 1, 10_000, 'the opened thread')
    // On the labeled consumer, #42 comes after #41: once #42 has its thread, #41's labeled event was handled.
    await send('labeled', 41)
    await send('labeled', 42)
    await waitFor(async () => (await autoThreads(42)).length === 1, 10_000, 'the marker thread')
    expect(await autoThreads(41)).toHaveLength(1)
    // The inbox names the issue an automatic thread came from.
    expect((await autoThreads(42))[0]?.sourceIssue).toBe('demo-org/demo-repo#42')
  })

  test('apply-draft posts the comment once as the App and records its URL', async () => {
    const ws = await h.workspace(['alice'])
    const d = await h.dispatch('alice', { workspace: ws, prompt: 'draft a reply' })
    const work = await h.workFor(d.thread.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    await relay.item(d.thread.id, 'draft', {
      kind: 'draft_comment',
      repo: 'demo-org/demo-repo',
      issueNumber: 1,
      body: 'Thanks, looking.',
    })
    await relay.item(d.thread.id, 'text', { kind: 'assistant_text', text: 'not a draft' })
    relay.close()
    const items = (await getThread(d.thread.id)).items
    const draft = items.find((i) => i.key === 'draft')!
    const text = items.find((i) => i.key === 'text')!
    const posts = () =>
      h.stack.github!.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/1/comments'))
        .length
    const before = posts()
    const [one, two] = await Promise.all([
      h.req('POST', `/api/agent-sessions/${d.thread.id}/apply-draft/${draft.id}`, 'alice'),
      h.req('POST', `/api/agent-sessions/${d.thread.id}/apply-draft/${draft.id}`, 'alice'),
    ])
    const statuses = [one.status, two.status].sort()
    expect(statuses[0]).toBe(200)
    expect([200, 409]).toContain(statuses[1]!)
    const again = await h.req('POST', `/api/agent-sessions/${d.thread.id}/apply-draft/${draft.id}`, 'alice')
    const applied = (await again.json()) as { commentUrl: string; alreadyApplied: boolean }
    expect(applied.alreadyApplied).toBe(true)
    expect(applied.commentUrl).toContain('/demo-org/demo-repo/issues/1#issuecomment-')
    expect(posts() - before).toBe(1)
    // The thread's items carry the posted comment from then on (the page shows it after a reload).
    const reread = (await getThread(d.thread.id)).items
    expect(reread.find((i) => i.id === draft.id)?.appliedUrl).toBe(applied.commentUrl)
    expect(reread.find((i) => i.id === text.id)?.appliedUrl).toBeUndefined()
    expect(
      (await h.req('POST', `/api/agent-sessions/${d.thread.id}/apply-draft/${text.id}`, 'alice')).status,
    ).toBe(400)
  })

  test('apply-draft takes over a claim left by an instance that died before recording it', async () => {
    const ws = await h.workspace(['alice'])
    const d = await h.dispatch('alice', { workspace: ws, prompt: 'draft a reply' })
    const work = await h.workFor(d.thread.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    await relay.item(d.thread.id, 'orphan', {
      kind: 'draft_comment',
      repo: 'demo-org/demo-repo',
      issueNumber: 1,
      body: 'Claimed, then the instance died.',
    })
    relay.close()
    const draft = (await getThread(d.thread.id)).items.find((i) => i.key === 'orphan')!
    const claimAt = Date.now() - 10 * 60_000
    await h.deps.database.write((tx) =>
      tx.update(items).set({ appliedUrl: 'pending', appliedId: claimAt }).where(eq(items.id, draft.id)),
    )
    const res = await h.req('POST', `/api/agent-sessions/${d.thread.id}/apply-draft/${draft.id}`, 'alice')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { alreadyApplied: boolean }).alreadyApplied).toBe(false)
  })

  test('apply-draft refuses a draft aimed at another repository the App is installed on', async () => {
    const gh = h.stack.github!
    gh.state.addRepo('other-org/private-repo', { private: true })
    gh.state.addIssue('other-org/private-repo', {
      title: 'elsewhere',
      author: 'boss',
    })
    const ws = await h.workspace(['alice'])
    const d = await h.dispatch('alice', { workspace: ws, prompt: 'draft a reply' })
    const work = await h.workFor(d.thread.id)
    const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
    await relay.next('welcome')
    await relay.item(d.thread.id, 'steered', {
      kind: 'draft_comment',
      repo: 'other-org/private-repo',
      issueNumber: 1,
      body: 'Posted as the App where this workspace has no business',
    })
    relay.close()
    const draft = (await getThread(d.thread.id)).items.find((i) => i.key === 'steered')!
    const res = await h.req('POST', `/api/agent-sessions/${d.thread.id}/apply-draft/${draft.id}`, 'alice')
    expect(res.status).toBe(400)
    expect(gh.requests.filter((r) => r.path.includes('/other-org/private-repo/')).length).toBe(0)
  })
})

describe('lists', () => {
  test('pages count only what the caller may see, newest first unless asked', async () => {
    const ws = await h.workspace(['alice', 'bob'])
    const mine = []
    for (const p of ['one', 'two']) mine.push(await h.dispatch('alice', { workspace: ws, prompt: p }))
    const hidden = await h.dispatch('bob', { workspace: ws, prompt: 'bob private' })
    const team = await h.dispatch('bob', { workspace: ws, prompt: 'bob team', visibility: 'team' })
    type Page = {
      results: Thread[]
      pagination: { nextCursor: string; hasMore: boolean; totalCount: number }
    }
    const page = async (query: string) =>
      (await (await h.req('GET', `/api/agent-sessions?workspace=${ws}&${query}`, 'alice')).json()) as Page
    const first = await page('page_size=2')
    expect(first.results.map((t) => t.prompt)).toEqual(['bob team', 'two'])
    expect(first.pagination).toMatchObject({ hasMore: true, totalCount: 3 })
    const second = await page(`page_size=2&cursor=${first.pagination.nextCursor}`)
    expect(second.results.map((t) => t.prompt)).toEqual(['one'])
    expect(second.pagination.hasMore).toBe(false)
    expect((await page('direction=asc')).results.map((t) => t.prompt)).toEqual(['one', 'two', 'bob team'])
    expect((await page('userId=me')).results.map((t) => t.prompt)).toEqual(['two', 'one'])
    expect((await page(`repo=${mine[0]!.thread.repo}`)).pagination.totalCount).toBe(3)
    expect((await page('repo=other-org/elsewhere')).results).toEqual([])
    expect(mine[0]!.thread.sourceIssue).toBeNull()
    const worktrees = (await (
      await h.req('GET', `/api/worktrees?workspace=${ws}&creatorId=all`, 'alice')
    ).json()) as {
      results: Array<{ id: string }>
    }
    expect(worktrees.results.map((w) => w.id).sort()).toEqual(
      [team.worktree.id, ...mine.map((d) => d.worktree.id)].sort(),
    )
    // The workspace's three slots went to the first three; the fourth is still queued.
    for (const d of [...mine, hidden]) await h.workFor(d.thread.id)
  })
})
