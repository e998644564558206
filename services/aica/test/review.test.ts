import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import type { Thread } from '@bosun/contracts/aica'
import { RELAY_PROTOCOL_VERSION } from '@bosun/contracts/relay'
import { openRelay } from '@bosun/testkit/relay-client'
import { waitFor } from '@bosun/testkit/wait'
import { eq } from 'drizzle-orm'
import * as schema from '../src/db/schema'
import { commitAndPush } from '../src/review/git'
import { readPrComment, triggered } from '../src/review/pr-comments'
import { publish } from '../src/review/publish'
import { pullText } from '../src/review/pull-request'
import { finalAnswer } from '../src/threads/status'
import { type Harness, startHarness } from './harness'

setDefaultTimeout(60_000)

let h: Harness
let WS: string

beforeAll(async () => {
  h = await startHarness()
  WS = await h.workspace(['alice', 'bob'])
}, 120_000)
afterAll(async () => {
  await h.stop()
}, 60_000)

/** A backup frame as a runner sends it (the bytes need not be a real bundle until something publishes it). */
function backupFrame(worktreeId: string, text: string) {
  const bytes = Buffer.from(text)
  return {
    type: 'backup' as const,
    v: RELAY_PROTOCOL_VERSION,
    worktreeId,
    ref: 'refs/bosun/backup',
    headSha: 'a'.repeat(40),
    sha256: new Bun.CryptoHasher('sha256').update(bytes).digest('hex'),
    bundle: bytes.toString('base64'),
  }
}

/**
 * A dispatched thread whose runner (played here) reports `statuses` in order; with `answer`, the agent says it
 * and backs the worktree up first (as a runner does before `awaiting_review`).
 */
async function threadThat(...statuses: Array<'running' | 'idle' | 'completed' | 'awaiting_review'>) {
  return threadSaying(undefined, ...statuses)
}

async function threadSaying(
  answer: string | undefined,
  ...statuses: Array<'running' | 'idle' | 'completed' | 'awaiting_review'>
) {
  const d = await h.dispatch('alice', { workspace: WS, prompt: 'change something' })
  const work = await h.workFor(d.thread.id)
  const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
  await relay.next('welcome')
  if (answer !== undefined) {
    await relay.item(d.thread.id, 'answer', { kind: 'assistant_text', text: answer })
    relay.send(backupFrame(d.thread.worktreeId, `bundle of ${d.thread.id}`))
  }
  for (const s of statuses) relay.status(d.thread.id, s)
  const last = statuses.at(-1)!
  const thread = async () =>
    (await (await h.req('GET', `/api/agent-sessions/${d.thread.id}`, 'alice')).json()) as { thread: Thread }
  for (;;) if ((await thread()).thread.status === last) break
  relay.close()
  return { id: d.thread.id, thread }
}

describe('review gate', () => {
  test('a runner-completed thread records result no_changes; no review is possible (409 naming the status)', async () => {
    const t = await threadThat('running', 'idle', 'completed')
    expect((await t.thread()).thread).toMatchObject({
      status: 'completed',
      result: 'no_changes',
      pullRequest: null,
    })
    const res = await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'alice', { approved: true })
    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({ error: 'conflict', details: { status: 'completed' } })
    expect(
      (await h.req('POST', `/api/agent-sessions/${t.id}/request-changes`, 'alice', { comment: 'x' })).status,
    ).toBe(409)
  })

  test('awaiting review: only the owner decides; decline ends it and nothing more is accepted', async () => {
    const t = await threadThat('running', 'awaiting_review')
    await h.req('POST', `/api/worktrees/${(await t.thread()).thread.worktreeId}/visibility`, 'alice', {
      visibility: 'team',
    })
    expect(
      (await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'bob', { approved: false })).status,
    ).toBe(403)
    const declined = await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'alice', {
      approved: false,
      comment: 'No thanks.',
    })
    expect(declined.status).toBe(200)
    expect(((await declined.json()) as Thread).status).toBe('declined')
    const again = await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'alice', { approved: true })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ details: { status: 'declined' } })
  })

  test('request changes queues the next attempt whose work carries the comment as its prompt', async () => {
    const t = await threadThat('running', 'awaiting_review')
    const res = await h.req('POST', `/api/agent-sessions/${t.id}/request-changes`, 'alice', {
      comment: 'Rename the file, please.',
    })
    expect(res.status).toBe(200)
    const work = await h.workFor(t.id)
    expect(work.data.prompt).toBe('Rename the file, please.')
    expect(work.id).toBe(`work-${t.id}-2`)
    const snap = (await t.thread()).thread
    expect(snap.attempt).toBe(2)
    const empty = await h.req('POST', `/api/agent-sessions/${t.id}/request-changes`, 'alice', { comment: '' })
    expect(empty.status).toBe(400)
  })

  test('approving a worktree that has no backup is 409 and the thread still awaits review', async () => {
    const t = await threadThat('running', 'awaiting_review')
    const res = await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'alice', { approved: true })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { message: string }).message).toContain('no backup')
    expect((await t.thread()).thread.status).toBe('awaiting_review')
  })

  test('approval records the backup reviewed; a newer backup of the worktree is never published', async () => {
    const t = await threadSaying('Renamed the file.', 'running', 'awaiting_review')
    const { worktreeId } = (await t.thread()).thread
    const reviewed = backupFrame(worktreeId, `bundle of ${t.id}`).sha256
    // A person who names the backup they reviewed cannot approve another one.
    const stale = await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'alice', {
      approved: true,
      reviewedHeadSha: 'b'.repeat(40),
    })
    expect(stale.status).toBe(409)
    expect(await stale.json()).toMatchObject({ details: { headSha: 'a'.repeat(40) } })
    expect((await t.thread()).thread.status).toBe('awaiting_review')
    const approve = await h.req('POST', `/api/agent-sessions/${t.id}/review`, 'alice', {
      approved: true,
      comment: 'Ship it.',
      reviewedHeadSha: 'a'.repeat(40),
    })
    expect(approve.status).toBe(200)
    const db = h.deps.database.db
    const row = async () => (await db.select().from(schema.threads).where(eq(schema.threads.id, t.id)))[0]!
    expect((await row()).approvedBackup).toBe(reviewed)
    // The pull request's summary is the answer reviewed, not the comment left with the approval.
    expect(await finalAnswer(db, t.id, { reviewed: true })).toBe('Renamed the file.')
    // This stand-in bundle is no git bundle: the first publication fails.
    await waitFor(async () => (await row()).status === 'merge_failed' || undefined, 30_000, 'merge_failed')

    // Another thread of the worktree backs it up anew, and the publication runs (again, as after a crash).
    const newer = backupFrame(worktreeId, 'unreviewed changes')
    await h.deps.database.write((tx) =>
      tx
        .update(schema.backups)
        .set({ sha256: newer.sha256, bundle: newer.bundle })
        .where(eq(schema.backups.worktreeId, worktreeId)),
    )
    await h.deps.database.write((tx) =>
      tx.update(schema.threads).set({ status: 'publishing' }).where(eq(schema.threads.id, t.id)),
    )
    await publish(h.deps, t.id)
    const after = await row()
    expect(after.status).toBe('merge_failed')
    expect(JSON.parse(after.error ?? '{}')).toMatchObject({ code: 'backup_changed' })
  })
})

describe('pieces', () => {
  test("git gets the installation token through its environment, never on a process's command line", async () => {
    const token = `ghs_${crypto.randomUUID().replaceAll('-', '')}`
    const header = btoa(`x-access-token:${token}`)
    const seen: { auth: string[]; onCommandLine: boolean } = { auth: [], onCommandLine: false }
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(req) {
        seen.auth.push(req.headers.get('authorization') ?? '')
        // While git waits on this answer, every process's command line is readable on the host.
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          let cmdline = ''
          try {
            cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1')
          } catch {
            continue // the process ended meanwhile
          }
          if (cmdline.includes(token) || cmdline.includes(header)) seen.onCommandLine = true
        }
        return new Response('no', { status: 500 })
      },
    })
    try {
      const failed = await commitAndPush({
        repoUrl: `http://127.0.0.1:${server.port}/o/r.git`,
        token,
        bundle: Buffer.from('not a bundle'),
        branch: 'bosun/thr_x',
        parent: 'c'.repeat(40),
        message: 'm',
        author: { name: 'bot', email: 'bot@example.com' },
        at: 0,
      }).catch((err: Error) => err)
      expect(failed).toBeInstanceOf(Error)
      expect(String(failed)).not.toContain(token)
      expect(seen.auth).toContain(`Basic ${header}`)
      expect(seen.onCommandLine).toBe(false)
    } finally {
      await server.stop(true)
    }
  })

  test('the trigger word must start the comment and stand alone', () => {
    expect(triggered('/bosun fix the typo', '/bosun')).toBe('fix the typo')
    expect(triggered('  /bosun\nfix it', '/bosun')).toBe('fix it')
    expect(triggered('/bosunx fix', '/bosun')).toBeUndefined()
    expect(triggered('please /bosun fix', '/bosun')).toBeUndefined()
    expect(triggered('/bosun', '/bosun')).toBe('')
  })

  test('a PR conversation comment and a review comment are read alike; an issue comment or a forged one is not', () => {
    const comment = { id: 7, body: '/bosun go', user: { login: 'alice' } }
    const sender = { login: 'alice' }
    expect(
      readPrComment('issue_comment', { comment, sender, issue: { number: 3, pull_request: { url: 'u' } } }),
    ).toEqual({ kind: 'issue_comment', id: 7, number: 3, body: '/bosun go', sender: 'alice' })
    expect(
      readPrComment('pull_request_review_comment', { comment, sender, pull_request: { number: 3 } }),
    ).toEqual({
      kind: 'pull_request_review_comment',
      id: 7,
      number: 3,
      body: '/bosun go',
      sender: 'alice',
    })
    expect(readPrComment('issue_comment', { comment, sender, issue: { number: 3 } })).toBe(
      'the comment is on an issue, not a pull request',
    )
    expect(
      readPrComment('pull_request_review_comment', {
        comment: { ...comment, id: '7' },
        pull_request: { number: 3 },
      }),
    ).toBe('malformed payload: the comment has no id')
  })

  test('the PR text: one-line title, the summary, the session link, Fixes only for an issue of this repository', () => {
    const text = pullText({
      summary: '## Fix the parser\n\nIt now handles tabs.',
      prompt: 'p',
      sessionUrl: 'https://bosun.example/agent-sessions/thr_x',
      repo: 'o/r',
      sourceIssue: 'o/r#12',
    })
    expect(text.title).toBe('Fix the parser')
    expect(text.body).toContain('It now handles tabs.')
    expect(text.body).toContain('(https://bosun.example/agent-sessions/thr_x)')
    expect(text.body).toEndWith('Fixes #12')
    const other = pullText({
      summary: undefined,
      prompt: 'Do it',
      sessionUrl: 'u',
      repo: 'o/r',
      sourceIssue: 'x/y#3',
    })
    expect(other.title).toBe('Do it')
    expect(other.body).not.toContain('Fixes')
  })
})
