import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createAicaClient } from '@bosun/clients/aica'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * The review loop with real processes: an issue becomes an auto thread, the agent (real opencode, sandboxed,
 * scripted model) writes a file, the thread waits for review, a member approves and Bosun pushes
 * `bosun/<thread>` to the GitHub emulator and opens the pull request; requested changes run on the restored
 * worktree and land as a second commit on the same pull request; a `/bosun` comment from a member on that pull
 * request resumes the thread once however often it is delivered, a stranger's does nothing.
 */
let stack: Stack
let model: ScriptedModel
const tokens: Record<string, string> = {}
const WS = 'e2e-review'
const REPO = 'demo-org/demo-repo'
const SHARED_KEY = 'sk-canary-shared-review-51ab9e'

const aica = (who: string) =>
  createAicaClient({ baseUrl: stack.publicUrl, headers: { authorization: `Bearer ${tokens[who]}` } })

/** `git` against the emulator's own copy of the repository. */
async function remoteGit(...args: string[]) {
  const proc = Bun.spawn(['git', '--git-dir', stack.github!.state.requireRepo(REPO).gitDir, ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const out = await new Response(proc.stdout).text()
  if ((await proc.exited) !== 0)
    throw new Error(`git ${args.join(' ')}: ${await new Response(proc.stderr).text()}`)
  return out.trim()
}

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: SHARED_KEY })
  model.addScript({
    name: 'create-file',
    pattern: /Please create (\S+) saying (.+?)\.(?:\s|$)/,
    turns: [
      ({ match, cwd }) => ({
        toolCalls: [
          { name: 'write', arguments: { filePath: join(cwd ?? '', match[1]!), content: `${match[2]!}\n` } },
        ],
      }),
      ({ match }) => ({ text: `Add ${match[1]!}\n\nCreated \`${match[1]!}\` as the issue asked.` }),
    ],
  })
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'webhooks', 'runner', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'boss', BOSUN_RUNNER_IDLE_MS: '3000' },
  })
  const s = stack.github!.state
  for (const login of ['boss', 'alice', 'mallory']) s.addUser(login)
  await invite(stack.publicUrl, stack.bootstrapKey, 'alice')
  for (const login of ['boss', 'alice']) tokens[login] = await signIn(stack.publicUrl, login)
  const admin = createWorkspaceClient({
    baseUrl: stack.publicUrl,
    headers: { authorization: `Bearer ${tokens.boss}` },
  })
  const id = { params: { path: { id: WS } } }
  expect((await admin.POST('/api/workspaces', { body: { id: WS, name: 'Review' } })).response.status).toBe(
    201,
  )
  await admin.POST('/api/workspaces/{id}/team-members', { ...id, body: { login: 'alice' } })
  await admin.POST('/api/workspaces/{id}/repositories', {
    ...id,
    body: { fullName: REPO, isDefaultForAgents: true },
  })
  const boss = aica('boss')
  expect(
    (await boss.POST('/api/auto-trigger-repos', { body: { workspace: WS, repo: REPO } })).response.status,
  ).toBe(201)
  await boss.PUT('/api/team-shared-creds', {
    body: { workspace: WS, kind: 'openai-compatible', apiKey: SHARED_KEY, baseURL: model.url },
  })
}, 120_000)

afterAll(async () => {
  await stack?.stop()
  await model?.stop()
}, 60_000)

describe('review: approve, request changes, PR comments', () => {
  let threadId = ''
  let issueNumber = 0
  let prNumber = 0
  const snapshot = async () =>
    (await aica('alice').GET('/api/agent-sessions/{id}', { params: { path: { id: threadId } } })).data!
  const statusIs = (status: string, what: string, ms = 90_000) =>
    waitFor(
      async () => {
        const snap = await snapshot()
        return snap.thread.status === status ? snap : undefined
      },
      ms,
      what,
    ).then((s) => s!)
  const review = (body: { approved: boolean; draft?: boolean; comment?: string }, who = 'alice') =>
    aica(who).POST('/api/agent-sessions/{id}/review', { params: { path: { id: threadId } }, body })

  test('issue -> auto thread -> changes -> awaiting_review; approve -> a pull request holding the file', async () => {
    const s = stack.github!.state
    const issue = s.addIssue(REPO, {
      title: 'Missing notes',
      body: 'Please create NOTES.md saying reviewed.',
    })
    issueNumber = issue.number
    s.addLabels(s.requireRepo(REPO), issue, ['bosun:trigger'], {
      notify: true,
      sender: s.requireUser('alice'),
    })
    const thread = (await waitFor(
      async () =>
        (
          await aica('alice').GET('/api/agent-sessions', { params: { query: { workspace: WS } } })
        ).data?.results.find((t) => t.prompt.includes(`#${issue.number}`)),
      30_000,
      'the auto thread',
    ))!
    threadId = thread.id
    const waiting = await statusIs('awaiting_review', 'the turn with changes to wait for review')
    expect(waiting.thread.pullRequest).toBeNull()
    expect(waiting.worktree.latestBackup).not.toBeNull()

    const approvedAt = Date.now()
    // A comment left with the approval is no part of the pull request's summary.
    const approved = await review({ approved: true, comment: 'Looks right, ship it.' })
    expect(approved.response.status).toBe(200)
    const published = await statusIs('published', 'the pull request', 60_000)
    console.log(`approve -> PR opened: ${Date.now() - approvedAt} ms`)
    const pr = published.thread.pullRequest!
    expect(pr.branch).toBe(`bosun/${threadId}`)
    prNumber = Number(pr.number)
    const pull = s.requirePull(REPO, prNumber)
    expect(pull.pull.head.ref).toBe(`bosun/${threadId}`)
    expect(pull.title).toBe('Add NOTES.md')
    expect(pull.body).toContain(`${stack.publicUrl}/agent-sessions/${threadId}`)
    expect(pull.body).toContain(`Fixes #${issueNumber}`)
    expect(pull.body).toContain('Created `NOTES.md` as the issue asked.')
    expect(pull.body).not.toContain('ship it')
    expect(await remoteGit('show', `bosun/${threadId}:NOTES.md`)).toBe('reviewed')
    const message = await remoteGit('log', '-1', '--format=%an%n%B', `bosun/${threadId}`)
    expect(message).toStartWith('bosun[bot]\nAdd NOTES.md')
    expect(message).toContain('Co-authored-by: alice <alice@users.noreply.github.com>')
    const steps = published.items
      .filter((i) => i.body.kind === 'publish')
      .map((i) => (i.body as { step: string }).step)
    expect(steps).toEqual(['commit', 'push', 'pull_request'])

    // Published is not awaiting review: a decline now is 409 naming the status.
    const declined = await review({ approved: false })
    expect(declined.response.status).toBe(409)
    expect(declined.error).toMatchObject({ error: 'conflict', details: { status: 'published' } })
  }, 180_000)

  test('approve again -> the same pull request, nothing pushed', async () => {
    const head = await remoteGit('rev-parse', `bosun/${threadId}`)
    expect((await review({ approved: true })).response.status).toBe(200)
    const snap = await snapshot()
    expect(snap.thread.status).toBe('published')
    expect(Number(snap.thread.pullRequest?.number)).toBe(prNumber)
    expect(await remoteGit('rev-parse', `bosun/${threadId}`)).toBe(head)
    const pulls = [...stack.github!.state.requireRepo(REPO).issues.values()].filter(
      (i) => i.pull?.head.ref === `bosun/${threadId}`,
    )
    expect(pulls).toHaveLength(1)
  })

  test('request changes after the sandbox was released -> a second commit on the same branch and PR', async () => {
    const first = await remoteGit('rev-parse', `bosun/${threadId}`)
    const asked = await aica('alice').POST('/api/agent-sessions/{id}/request-changes', {
      params: { path: { id: threadId } },
      body: { comment: 'Please create MORE.md saying second round.' },
    })
    expect(asked.response.status).toBe(200)
    expect(['queued', 'starting']).toContain(asked.data?.status ?? '')
    await statusIs('awaiting_review', 'the requested changes to wait for review')
    expect((await review({ approved: true })).response.status).toBe(200)
    const published = await statusIs('published', 'the second publication', 60_000)
    expect(Number(published.thread.pullRequest?.number)).toBe(prNumber)
    const second = await remoteGit('rev-parse', `bosun/${threadId}`)
    expect(second).not.toBe(first)
    expect(await remoteGit('rev-parse', `${second}^`)).toBe(first)
    // The restored worktree kept the first round's file; the second round added its own.
    expect(await remoteGit('show', `${second}:NOTES.md`)).toBe('reviewed')
    expect(await remoteGit('show', `${second}:MORE.md`)).toBe('second round')
    expect(stack.github!.state.requirePull(REPO, prNumber).pull.head.sha).toBe(second)
  }, 180_000)

  test('`/bosun` from a member resumes the thread exactly once, redelivered twice; a stranger starts nothing', async () => {
    const s = stack.github!.state
    const outcomesOf = async (deliveryId: string) =>
      (
        (await (
          await fetch(`${stack.publicUrl}/api/webhook-deliveries/${deliveryId}`, {
            headers: { authorization: `Bearer ${stack.bootstrapKey}` },
          })
        ).json()) as { outcomes?: Array<{ threadId: string | null; reason: string }> }
      ).outcomes ?? []

    s.addComment(
      REPO,
      prNumber,
      { author: 'mallory', body: '/bosun Please create EVIL.md saying pwned.' },
      { notify: true },
    )
    await stack.github!.webhooksSettled()
    const strangers = stack.github!.deliveries.filter((d) => d.event === 'issue_comment')
    const stranger = strangers.at(-1)!
    const refused = await waitFor(
      async () => (await outcomesOf(stranger.id)).at(0),
      20_000,
      "the stranger's outcome",
    )
    expect(refused!.threadId).toBeNull()
    expect(refused!.reason).toContain('mallory is not a member')

    s.addComment(
      REPO,
      prNumber,
      { author: 'alice', body: '/bosun Please create TYPO.md saying fixed.' },
      { notify: true },
    )
    await stack.github!.webhooksSettled()
    const delivery = stack.github!.deliveries.filter((d) => d.event === 'issue_comment').at(-1)!
    expect(delivery.id).not.toBe(stranger.id)
    const started = await waitFor(async () => (await outcomesOf(delivery.id)).at(0), 20_000, 'the outcome')
    expect(started).toMatchObject({ threadId: threadId, reason: 'started' })
    // GitHub's redelivery (same delivery id) and Bosun's own (a new event of the same delivery).
    await stack.github!.redeliver(delivery.id)
    const again = await fetch(`${stack.publicUrl}/api/webhook-deliveries/${delivery.id}/redeliver`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.bootstrapKey}` },
    })
    expect(again.status).toBeLessThan(300)
    await waitFor(
      async () => ((await outcomesOf(delivery.id)).length >= 2 ? true : undefined),
      20_000,
      'the redelivery',
    )
    expect((await outcomesOf(delivery.id)).slice(1).map((o) => o.reason)).toContain(
      'this comment already started a turn',
    )

    const done = await statusIs('awaiting_review', 'the comment turn to end')
    const asks = done.items.filter(
      (i) => i.body.kind === 'user_message' && (i.body as { text: string }).text.includes('TYPO.md'),
    )
    expect(asks).toHaveLength(1)
    expect(JSON.stringify(done.items)).not.toContain('EVIL.md')
    expect(done.thread.attempt).toBe(3)
  }, 180_000)

  test('aica killed mid-publication: after the restart the same commit and pull request, nothing twice', async () => {
    const before = await remoteGit('rev-parse', `bosun/${threadId}`)
    // GitHub answers slowly, so the kill lands before the push.
    stack.github!.latencyMs = 1500
    expect((await review({ approved: true })).response.status).toBe(200)
    await stack.services.aica!.kill()
    // Killed before its push: the branch is where it was.
    expect(await remoteGit('rev-parse', `bosun/${threadId}`)).toBe(before)
    stack.github!.latencyMs = 0
    await stack.services.aica!.start()
    const published = await statusIs('published', 'the resumed publication', 60_000)
    expect(Number(published.thread.pullRequest?.number)).toBe(prNumber)
    const head = await remoteGit('rev-parse', `bosun/${threadId}`)
    expect(await remoteGit('rev-parse', `${head}^`)).toBe(before)
    expect(await remoteGit('show', `${head}:TYPO.md`)).toBe('fixed')
    const pulls = [...stack.github!.state.requireRepo(REPO).issues.values()].filter(
      (i) => i.pull?.head.ref === `bosun/${threadId}`,
    )
    expect(pulls).toHaveLength(1)
    const opened = published.items.filter((i) => i.body.kind === 'publish' && i.body.step === 'pull_request')
    expect(opened).toHaveLength(3)
  }, 120_000)

  test('a push refused because the branch moved is merge_failed with the reason; decline then pushes nothing', async () => {
    const alice = aica('alice')
    expect(
      (
        await alice.POST('/api/agent-sessions/{id}/request-changes', {
          params: { path: { id: threadId } },
          body: { comment: 'Please create LAST.md saying last.' },
        })
      ).response.status,
    ).toBe(200)
    await statusIs('awaiting_review', 'the last turn')
    // Someone else pushes to the pull request's branch meanwhile.
    const moved = stack.github!.state.pushToPull(REPO, prNumber, { 'OTHER.md': 'not bosun\n' })
    expect((await review({ approved: true })).response.status).toBe(200)
    const failed = await statusIs('merge_failed', 'the refused push', 60_000)
    expect(failed.thread.error).toMatchObject({ code: 'push_rejected' })
    expect(failed.worktree.latestBackup).not.toBeNull()
    expect(await remoteGit('rev-parse', `bosun/${threadId}`)).toBe(moved)

    const declined = await alice.POST('/api/agent-sessions/{id}/review', {
      params: { path: { id: threadId } },
      body: { approved: false, comment: 'Not this one.' },
    })
    expect(declined.data?.status).toBe('declined')
    expect(await remoteGit('rev-parse', `bosun/${threadId}`)).toBe(moved)
    const again = await review({ approved: true })
    expect(again.response.status).toBe(409)
    expect(again.error).toMatchObject({ details: { status: 'declined' } })
  }, 180_000)

  test('the installation token never appears in any item or log', async () => {
    const snap = await snapshot()
    const everything = JSON.stringify(snap) + stack.services.aica!.logs() + stack.services.runner!.logs()
    expect(everything).not.toContain('ghs_')
    expect(everything).not.toContain(SHARED_KEY)
  })
})
