import type { ItemBody, ThreadError } from '@bosun/contracts/relay'
import { errorFields } from '@bosun/service-kit/log'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { move } from '../threads/actions'
import { appendItem } from '../threads/items'
import { branchOf } from '../threads/model'
import { finalAnswer } from '../threads/status'
import { commitAndPush } from './git'
import { findOrOpenPull, pullText } from './pull-request'

/** Publications running in this instance: one per thread at a time. */
const running = new Set<string>()

/** A step item, keyed by the approval so a rerun after a crash adds none twice. */
async function step(
  deps: AicaDeps,
  threadId: string,
  key: string,
  body: Extract<ItemBody, { kind: 'publish' }>,
) {
  const { item, duplicate } = await deps.database.write((tx) => appendItem(tx, threadId, body, key))
  if (!duplicate) deps.hub.publishItem(threadId, item.seq)
}

/**
 * Publishes an approved thread (status `publishing`): commits its latest backup as the bot with the approver as
 * co-author, pushes `bosun/<thread id>` with an installation token of that one repository (never near a
 * sandbox), finds or opens the pull request, and records it. Every step may run again after a crash: the
 * commit is the same (dated by the approval), the push then changes nothing, and the pull request is found.
 */
export async function publish(deps: AicaDeps, threadId: string) {
  if (running.has(threadId)) return
  running.add(threadId)
  try {
    await publishOnce(deps, threadId)
  } catch (err) {
    deps.logger.warn('publish failed', { threadId, ...errorFields(err) })
    // Runs detached: a failed move is logged here (the periodic sweep retries the publication), never unhandled.
    await fail(deps, threadId, {
      code: 'publish_failed',
      message: (err as Error).message.slice(0, 4000),
    }).catch((moveErr) =>
      deps.logger.error('publish failure not recorded', { threadId, ...errorFields(moveErr) }),
    )
  } finally {
    running.delete(threadId)
  }
}

const fail = (deps: AicaDeps, threadId: string, error: ThreadError) =>
  move(deps, threadId, 'merge_failed', error)

async function publishOnce(deps: AicaDeps, threadId: string) {
  const [row] = await deps.database.db
    .select({ thread: schema.threads, worktree: schema.worktrees, backup: schema.backups })
    .from(schema.threads)
    .innerJoin(schema.worktrees, eq(schema.worktrees.id, schema.threads.worktreeId))
    .leftJoin(schema.backups, eq(schema.backups.worktreeId, schema.threads.worktreeId))
    .where(eq(schema.threads.id, threadId))
  if (row?.thread.status !== 'publishing') return
  const { thread, worktree, backup } = row
  if (!backup)
    return fail(deps, threadId, { code: 'no_backup', message: 'The worktree has no backup to publish' })
  // Another thread of the worktree may have written a newer backup since the review: that one is unreviewed.
  if (backup.sha256 !== thread.approvedBackup)
    return fail(deps, threadId, {
      code: 'backup_changed',
      message:
        'The worktree changed after the review (another thread wrote a newer backup); nothing was pushed. Review the changes again to approve them.',
    })
  const at = thread.approvedAt ?? Date.now()
  const key = (s: string) => `publish:${s}:${at}`
  const approver = thread.approvedBy ?? 'unknown'
  const branch = branchOf(thread.id)
  const summary = await finalAnswer(deps.database.db, thread.id, { reviewed: true })
  const sessionUrl = `${deps.env.BOSUN_PUBLIC_URL}/agent-sessions/${thread.id}`
  const text = pullText({
    summary,
    prompt: thread.prompt,
    sessionUrl,
    repo: worktree.repo,
    sourceIssue: thread.sourceIssue,
  })

  // Narrow tokens, each for this one repository: contents to push, pull requests to open.
  const { token } = await deps.github.installationToken(worktree.repo, { contents: 'write' })
  const pushed = await commitAndPush({
    repoUrl: `${deps.env.GITHUB_WEB_URL.replace(/\/+$/, '')}/${worktree.repo}.git`,
    token,
    bundle: Buffer.from(backup.bundle, 'base64'),
    branch,
    parent: thread.publishedSha,
    message: `${text.title}\n\n${sessionUrl}\n\nCo-authored-by: ${approver} <${approver}@users.noreply.github.com>`,
    author: { name: deps.env.BOSUN_BOT_NAME, email: deps.env.BOSUN_BOT_EMAIL },
    at,
  })
  if (!pushed.pushed && pushed.reason === 'rejected')
    return fail(deps, threadId, {
      code: 'push_rejected',
      message:
        `GitHub refused the push to ${branch} (it moved since Bosun last pushed); the backup is kept. ${pushed.message}`.slice(
          0,
          4000,
        ),
    })
  await step(deps, threadId, key('commit'), {
    kind: 'publish',
    step: 'commit',
    message: pushed.pushed
      ? `Committed ${pushed.sha.slice(0, 12)} as ${deps.env.BOSUN_BOT_NAME}, co-authored by ${approver}`
      : 'No changes since the last published commit',
  })
  if (pushed.pushed)
    await step(deps, threadId, key('push'), { kind: 'publish', step: 'push', message: `Pushed ${branch}` })

  const pr = await deps.github.installationToken(worktree.repo, { pull_requests: 'write' })
  const pull = await findOrOpenPull({
    apiUrl: deps.env.GITHUB_API_URL,
    token: pr.token,
    repo: worktree.repo,
    branch,
    base: worktree.ref,
    text,
    draft: thread.approvedDraft === true,
  })
  await step(deps, threadId, key('pull_request'), {
    kind: 'publish',
    step: 'pull_request',
    message: `${pull.opened ? 'Opened' : 'Updated'} pull request #${pull.number}`,
    url: pull.html_url,
  })
  await move(deps, threadId, 'published', undefined, {
    prNumber: pull.number,
    prUrl: pull.html_url,
    publishedSha: pushed.sha,
  })
}

/** A publication not finished this long after its approval belongs to an instance that died. */
const STALE_MS = 60_000

/**
 * Publications an instance approved but did not finish run again (each step is repeatable): at start all of
 * them, on the periodic sweep those older than a minute (their instance died while others live on).
 */
export async function resumePublishing(deps: AicaDeps, olderThanMs = 0) {
  const rows = await deps.database.db
    .select({ id: schema.threads.id, approvedAt: schema.threads.approvedAt })
    .from(schema.threads)
    .where(eq(schema.threads.status, 'publishing'))
  for (const r of rows) if (Date.now() - (r.approvedAt ?? 0) >= olderThanMs) void publish(deps, r.id)
}
export const resumeStalePublishing = (deps: AicaDeps) => resumePublishing(deps, STALE_MS)
