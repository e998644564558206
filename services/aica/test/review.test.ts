import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Thread } from '@bosun/contracts/aica'
import { openRelay } from '@bosun/testkit/relay-client'
import { readPrComment, triggered } from '../src/review/pr-comments'
import { pullText } from '../src/review/pull-request'
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

/** A dispatched thread whose runner (played here) reports `statuses` in order. */
async function threadThat(...statuses: Array<'running' | 'idle' | 'completed' | 'awaiting_review'>) {
  const d = await h.dispatch('alice', { workspace: WS, prompt: 'change something' })
  const work = await h.workFor(d.thread.id)
  const relay = await openRelay(h.base, work.data.relayPath, { header: work.data.relayToken })
  await relay.next('welcome')
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
})

describe('pieces', () => {
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
