import { createHmac } from 'node:crypto'
import { sign } from '@octokit/webhooks-methods'
import { changedFiles, commitInfo, revList } from './git'
import {
  checkRunShape,
  commentShape,
  commitShape,
  fullName,
  issueShape,
  labelShape,
  orgShape,
  pullShape,
  repoShape,
  reviewCommentShape,
  reviewShape,
  userShape,
} from './shapes'
import type { GhChange, GhIssue, GhPull, GitHubState } from './state'

export type Delivery = {
  /** The `X-GitHub-Delivery` guid; a redelivery keeps it. */
  id: string
  event: string
  action?: string
  url: string
  body: string
  headers: Record<string, string>
  redelivery: boolean
  deliveredAt: string
  /** The receiver's status; undefined when the request failed (then `error` says why). */
  status?: number
  error?: string
  durationMs: number
}

const HOOK_ID = 424242
const TIMEOUT_MS = 10_000

/** Sends what the emulator's state changes as GitHub App webhooks: signed, recorded, never thrown. */
export class WebhookSender {
  readonly deliveries: Delivery[] = []
  private hook?: { url: string; secret: string }
  /** Deliveries go out one after another, so a receiver sees them in the order the changes happened. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly state: GitHubState,
    private readonly base: () => string,
  ) {}

  set(url: string, secret: string) {
    this.hook = { url, secret }
  }

  get configured() {
    return this.hook
  }

  send(change: GhChange) {
    const body = JSON.stringify(payload(this.base(), this.state, change))
    this.deliver({ id: crypto.randomUUID(), event: change.event, action: change.action, body }, false)
  }

  /** Sends a delivery again with the same body and `X-GitHub-Delivery`, as GitHub's "Redeliver". */
  redeliver(id: string): Promise<Delivery> {
    const original = this.deliveries.find((d) => d.id === id)
    if (!original) throw new Error(`no delivery ${id}`)
    return this.deliver(original, true)
  }

  /** Resolves once every delivery sent so far has been answered or has failed. */
  async settled(): Promise<void> {
    let seen: Promise<unknown> | undefined
    while (seen !== this.queue) {
      seen = this.queue
      await seen
    }
  }

  private deliver(
    d: { id: string; event: string; action?: string; body: string },
    redelivery: boolean,
  ): Promise<Delivery> {
    const app = this.state.app
    const headers: Record<string, string> = {
      accept: '*/*',
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/e8c1a5f',
      'x-github-event': d.event,
      'x-github-delivery': d.id,
      'x-github-hook-id': String(HOOK_ID),
      'x-github-hook-installation-target-type': 'integration',
      'x-github-hook-installation-target-id': String(app.id),
    }
    const record: Delivery = {
      id: d.id,
      event: d.event,
      action: d.action,
      url: this.hook?.url ?? '',
      body: d.body,
      headers,
      redelivery,
      deliveredAt: new Date().toISOString(),
      durationMs: 0,
    }
    this.deliveries.push(record)
    const run = async () => {
      const hook = this.hook
      if (!hook) {
        record.error = 'no webhook URL configured'
        return record
      }
      record.url = hook.url
      const started = performance.now()
      try {
        headers['x-hub-signature'] = `sha1=${createHmac('sha1', hook.secret).update(d.body).digest('hex')}`
        headers['x-hub-signature-256'] = await sign(hook.secret, d.body)
        const res = await fetch(hook.url, {
          method: 'POST',
          headers,
          body: d.body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        })
        record.status = res.status
        await res.arrayBuffer().catch(() => undefined)
      } catch (err) {
        record.error = err instanceof Error ? err.message : String(err)
      }
      record.durationMs = Math.round(performance.now() - started)
      return record
    }
    const p = this.queue.then(run)
    this.queue = p
    return p
  }
}

type Pull = GhIssue & { pull: GhPull }

/** GitHub's payload for a change: the event's object plus repository, sender and installation. */
export function payload(base: string, state: GitHubState, c: GhChange): Record<string, unknown> {
  const r = c.repo
  const common = {
    repository: repoShape(base, r),
    ...(r.owner.type === 'Organization' ? { organization: orgShape(base, r.owner) } : {}),
    sender: userShape(base, c.sender),
    installation: {
      id: state.installationOf(r).id,
      node_id: Buffer.from(`0:Installation${state.installationOf(r).id}`).toString('base64'),
    },
  }
  const extra = {
    ...(c.changes ? { changes: c.changes } : {}),
    ...(c.label ? { label: labelShape(base, r, c.label) } : {}),
    ...(c.assignee ? { assignee: userShape(base, c.assignee) } : {}),
    ...(c.requestedReviewer ? { requested_reviewer: userShape(base, c.requestedReviewer) } : {}),
  }
  const issue = c.issue
  switch (c.event) {
    case 'issues':
      return { action: c.action, issue: issueShape(base, r, issue!), ...extra, ...common }
    case 'issue_comment':
      return {
        action: c.action,
        issue: issueShape(base, r, issue!),
        comment: commentShape(base, r, issue!, c.comment!),
        ...common,
      }
    case 'pull_request':
      return {
        action: c.action,
        number: issue!.number,
        pull_request: pullShape(base, r, issue as Pull),
        ...(c.before ? { before: c.before, after: c.after } : {}),
        ...extra,
        ...common,
      }
    case 'pull_request_review':
      return {
        action: c.action,
        review: reviewShape(base, r, issue as Pull, c.review!),
        pull_request: pullShape(base, r, issue as Pull),
        ...common,
      }
    case 'pull_request_review_comment':
      return {
        action: c.action,
        comment: reviewCommentShape(base, r, issue as Pull, c.reviewComment!),
        pull_request: pullShape(base, r, issue as Pull),
        ...common,
      }
    case 'pull_request_review_thread':
      return {
        action: c.action,
        thread: {
          node_id: Buffer.from(`0:PullRequestReviewThread${c.thread!.id}`).toString('base64'),
          comments: c.thread!.comments.map((x) => reviewCommentShape(base, r, issue as Pull, x)),
        },
        pull_request: pullShape(base, r, issue as Pull),
        ...common,
      }
    case 'check_run':
      return { action: c.action, check_run: checkRunWithSuite(base, c, pullsOf(c)), ...common }
    case 'status': {
      const s = c.status!
      return {
        id: s.id,
        sha: s.sha,
        name: fullName(r),
        target_url: s.targetUrl,
        context: s.context,
        description: s.description,
        state: s.state,
        commit: (() => {
          const info = commitInfo(r.gitDir, s.sha)
          return info ? commitShape(base, r, info) : { sha: s.sha }
        })(),
        branches: [],
        created_at: s.createdAt,
        updated_at: s.updatedAt,
        ...common,
      }
    }
    case 'push': {
      const zero = '0'.repeat(40)
      const commits = c.after === zero ? [] : pushCommits(base, c)
      return {
        ref: c.ref,
        before: c.before,
        after: c.after,
        created: c.before === zero,
        deleted: c.after === zero,
        forced: false,
        base_ref: null,
        compare: `${base}/${fullName(r)}/compare/${c.before!.slice(0, 12)}...${c.after!.slice(0, 12)}`,
        commits,
        head_commit: commits.at(-1) ?? null,
        pusher: { name: c.sender.login, email: c.sender.email },
        ...common,
      }
    }
    default:
      return { ...(c.action ? { action: c.action } : {}), ...common }
  }
}

const pullsOf = (c: GhChange) => [...c.repo.issues.values()].filter((i): i is Pull => Boolean(i.pull))

function checkRunWithSuite(base: string, c: GhChange, pulls: Pull[]) {
  const run = checkRunShape(base, c.repo, c.checkRun!, pulls)
  return {
    ...run,
    check_suite: {
      id: c.checkRun!.suiteId,
      head_sha: c.checkRun!.headSha,
      status: c.checkRun!.status,
      conclusion: c.checkRun!.conclusion,
      pull_requests: run.pull_requests,
      app: run.app,
    },
  }
}

/** The pushed commits, oldest first as GitHub lists them (`head_commit` is the newest). */
function pushCommits(base: string, c: GhChange) {
  const zero = '0'.repeat(40)
  const dir = c.repo.gitDir
  const shas = revList(dir, c.after!, c.before === zero ? undefined : c.before, 20)
  return shas.reverse().map((sha) => {
    const info = commitInfo(dir, sha)!
    return {
      id: sha,
      tree_id: info.tree,
      distinct: true,
      message: info.message,
      timestamp: info.committer.date,
      url: `${base}/${fullName(c.repo)}/commit/${sha}`,
      author: { name: info.author.name, email: info.author.email },
      committer: { name: info.committer.name, email: info.committer.email },
      ...changedFiles(dir, sha),
    }
  })
}
