import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import type { Thread, Worktree } from '@bosun/contracts/aica'
import type { WorktreeDiff, WorktreeFile } from '@bosun/contracts/changes'
import type { Item } from '@bosun/contracts/relay'
import type { UsagePage } from '@bosun/contracts/usage'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * What an agent changed, with real processes: the runner runs opencode (in bwrap when it works here)
 * against the scripted model's demo prompt, which creates notes.txt. The diff is read through the gateway
 * from the runner holding the checkout, then, once the worktree is archived and its sandbox released,
 * from the latest backup by a runner restoring it, and the two answers are the same but for `source`.
 */
let stack: Stack
let model: ScriptedModel
const tokens: Record<string, string> = {}
const WS = 'e2e-changes'
const REPO = 'demo-org/demo-repo'
const KEY = 'sk-e2e-changes-41f0'

const call = async <T>(who: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as T }
}

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: KEY })
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'runner', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'boss', BOSUN_RUNNER_IDLE_MS: '600000', BOSUN_RUNNER_SANDBOX: 'bwrap' },
  })
  stack.github!.state.addUser('boss')
  stack.github!.state.addUser('alice')
  await invite(stack.publicUrl, stack.bootstrapKey, 'alice')
  for (const login of ['boss', 'alice']) tokens[login] = await signIn(stack.publicUrl, login)
  const admin = createWorkspaceClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.boss}` },
  })
  const id = { params: { path: { id: WS } } }
  expect(
    (await admin.POST('/api/workspaces', { body: { id: WS, name: 'E2E changes' } })).response.status,
  ).toBe(201)
  await admin.POST('/api/workspaces/{id}/team-members', { ...id, body: { login: 'alice' } })
  await admin.POST('/api/workspaces/{id}/repositories', {
    ...id,
    body: { fullName: REPO, isDefaultForAgents: true },
  })
  const creds = await call('boss', 'PUT', '/api/team-shared-creds', {
    workspace: WS,
    kind: 'openai-compatible',
    apiKey: KEY,
    baseURL: model.url,
  })
  expect(creds.status).toBe(200)
}, 120_000)

afterAll(async () => {
  await stack?.stop()
  await model?.stop()
}, 60_000)

describe('changes and usage end to end', () => {
  test('the demo prompt makes notes.txt: the diff shows it from the checkout, then identically from the backup', async () => {
    const made = await call<{ thread: Thread }>('alice', 'POST', '/api/agent-sessions', {
      workspace: WS,
      prompt: 'Create a file named notes.txt that says hello.',
    })
    expect(made.status).toBe(201)
    const { id, worktreeId } = made.body.thread
    const snapshot = () =>
      call<{ thread: Thread; worktree: Worktree; items: Item[] }>('alice', 'GET', `/api/agent-sessions/${id}`)
    // The turn changed the worktree: it waits for review, its sandbox released (backup and counts sent first).
    const gated = (await waitFor(
      async () => {
        const s = (await snapshot()).body
        return s.thread.status === 'awaiting_review' && s.thread.changes ? s : undefined
      },
      120_000,
      'the turn to reach review with line counts',
    ))!
    expect(gated.thread.changes).toEqual({ files: 1, additions: 1, deletions: 0 })
    expect(gated.worktree.sandbox?.backend).toBe('bwrap')
    const reviewed = await call<WorktreeDiff>('alice', 'GET', `/api/agent-sessions/${id}/diff`)
    expect(reviewed.body).toMatchObject({ source: 'backup', totals: { files: 1, additions: 1 } })

    // A turn that changes nothing restores the checkout and stays idle on the runner, holding it.
    expect(
      (await call('alice', 'POST', `/api/agent-sessions/${id}/request-changes`, { comment: 'Say hi.' }))
        .status,
    ).toBe(200)
    const idle = (await waitFor(
      async () => {
        const s = (await snapshot()).body
        return s.thread.status === 'idle' ? s : undefined
      },
      120_000,
      'the second turn to go idle',
    ))!
    expect(idle.thread.changes).toEqual({ files: 1, additions: 1, deletions: 0 })

    const live = await call<WorktreeDiff>('alice', 'GET', `/api/agent-sessions/${id}/diff`)
    expect(live.status).toBe(200)
    expect(live.body.source).toBe('checkout')
    expect(live.body.files).toEqual([
      expect.objectContaining({
        path: 'notes.txt',
        status: 'added',
        additions: 1,
        deletions: 0,
        truncated: false,
      }),
    ])
    expect(live.body.files[0]!.patch).toContain('+hello')
    expect(live.body.baseSha).toMatch(/^[0-9a-f]{40}$/)
    const liveFile = await call<WorktreeFile>('alice', 'GET', `/api/worktrees/${worktreeId}/files/notes.txt`)
    expect(liveFile.body).toMatchObject({ source: 'checkout', kind: 'file', content: 'hello\n' })
    expect(
      (await call('alice', 'GET', `/api/worktrees/${worktreeId}/files/..%2F..%2Fetc%2Fpasswd`)).status,
    ).toBe(400)

    // Usage: the thread's totals are the sum of its usage items, and /api/usage says the same.
    const items = idle.items.flatMap((i) => (i.body.kind === 'usage' ? [i.body] : []))
    expect(items.length).toBeGreaterThan(0)
    const sum = (f: (u: (typeof items)[number]) => number | undefined) =>
      items.reduce((n, u) => n + (f(u) ?? 0), 0)
    expect(idle.thread.usage).toMatchObject({
      inputTokens: sum((u) => u.inputTokens),
      outputTokens: sum((u) => u.outputTokens),
      cacheReadTokens: sum((u) => u.cacheReadTokens),
      cacheWriteTokens: sum((u) => u.cacheWriteTokens),
    })
    expect(idle.thread.usage.inputTokens).toBeGreaterThan(0)
    const report = await call<UsagePage>('alice', 'GET', `/api/usage?workspace=${WS}&groupBy=thread`)
    expect(report.status).toBe(200)
    expect(report.body.results.find((r) => r.key === id)).toMatchObject({
      records: items.length,
      inputTokens: idle.thread.usage.inputTokens,
      outputTokens: idle.thread.usage.outputTokens,
    })

    // Archived: the runner stops the thread and releases the sandbox; any runner reads the backup.
    expect((await call('alice', 'POST', `/api/worktrees/${worktreeId}/archive`)).status).toBe(200)
    let last: unknown
    const fromBackup = (await waitFor(
      async () => {
        const d = await call<WorktreeDiff>('alice', 'GET', `/api/agent-sessions/${id}/diff`)
        last = { status: d.status, source: d.body.source, body: d.status === 200 ? undefined : d.body }
        return d.status === 200 && d.body.source === 'backup' ? d.body : undefined
      },
      60_000,
      'the diff from the backup',
    ).catch((err) => {
      throw new Error(`${err.message}; the last answer was ${JSON.stringify(last)}`)
    }))!
    expect({ ...fromBackup, source: 'checkout' }).toEqual(live.body)
    const backupFile = await call<WorktreeFile>(
      'alice',
      'GET',
      `/api/worktrees/${worktreeId}/files/notes.txt`,
    )
    expect({ ...backupFile.body, source: 'checkout' }).toEqual(liveFile.body)
  }, 240_000)
})
