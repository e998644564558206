import { join } from 'node:path'
import { branches, commitFiles, initBare, revParse } from './git'
import { APP_PERMISSIONS } from './shapes'

/** In-memory state of the GitHub emulator: what the tests seed and what its API changes. */
export type GhUser = {
  id: number
  login: string
  name: string | null
  email: string | null
  type: 'User' | 'Organization' | 'Bot'
  createdAt: string
}

export type OAuthApp = { clientId: string; clientSecret: string }

export type GhLabel = { id: number; name: string; color: string; description: string | null }

export type GhRepo = {
  id: number
  owner: GhUser
  name: string
  description: string | null
  private: boolean
  defaultBranch: string
  createdAt: string
  updatedAt: string
  pushedAt: string
  gitDir: string
  labels: Map<string, GhLabel>
  issues: Map<number, GhIssue>
  nextNumber: number
  checkRuns: GhCheckRun[]
  statuses: GhStatus[]
}

export type GhComment = { id: number; user: GhUser; body: string; createdAt: string; updatedAt: string }

export type GhIssue = {
  id: number
  number: number
  title: string
  body: string | null
  user: GhUser
  state: 'open' | 'closed'
  stateReason: 'completed' | 'not_planned' | 'reopened' | null
  labels: GhLabel[]
  assignees: GhUser[]
  comments: GhComment[]
  createdAt: string
  updatedAt: string
  closedAt: string | null
  closedBy: GhUser | null
  pull?: GhPull
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING'
export type GhReview = {
  id: number
  user: GhUser
  body: string
  state: ReviewState
  commitId: string
  submittedAt: string | null
}

export type GhReviewComment = {
  id: number
  reviewId: number | null
  user: GhUser
  body: string
  path: string
  line: number
  commitId: string
  inReplyTo: number | null
  createdAt: string
  updatedAt: string
}

export type GhThread = { id: number; resolved: boolean; comments: GhReviewComment[] }

export type GhPull = {
  id: number
  draft: boolean
  head: { ref: string; sha: string }
  base: { ref: string; sha: string }
  merged: boolean
  mergedAt: string | null
  mergedBy: GhUser | null
  mergeCommitSha: string | null
  requestedReviewers: GhUser[]
  reviews: GhReview[]
  threads: GhThread[]
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
export type CheckConclusion =
  | 'success'
  | 'failure'
  | 'neutral'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'action_required'
export type GhCheckRun = {
  id: number
  suiteId: number
  headSha: string
  name: string
  status: CheckStatus
  conclusion: CheckConclusion | null
  startedAt: string
  completedAt: string | null
  externalId: string
  detailsUrl: string | null
  output: { title: string | null; summary: string | null; text: string | null }
  app: GhApp
}

export type StatusState = 'error' | 'failure' | 'pending' | 'success'
export type GhStatus = {
  id: number
  sha: string
  state: StatusState
  targetUrl: string | null
  description: string | null
  context: string
  creator: GhUser
  createdAt: string
  updatedAt: string
}

export type GhApp = {
  id: number
  slug: string
  name: string
  clientId: string
  owner: GhUser
  bot: GhUser
  /** PKCS#8 PEM, what the services get as GITHUB_APP_PRIVATE_KEY. */
  privateKey: string
  publicKey: CryptoKey | null
  createdAt: string
}

export type GhInstallation = { id: number; account: GhUser; createdAt: string }

export type InstallationToken = {
  token: string
  installationId: number
  /** undefined: every repository of the installation. */
  repoIds?: Set<number>
  /** What the token may do, never more than the App was granted (GitHub's `permissions` request field). */
  permissions: Record<string, PermissionLevel>
  expiresAt: Date
}

export type PermissionLevel = 'read' | 'write'

/** What changed, for the webhook sender to turn into GitHub's payloads. */
export type GhChange = {
  event: string
  action?: string
  repo: GhRepo
  sender: GhUser
  issue?: GhIssue
  comment?: GhComment
  review?: GhReview
  reviewComment?: GhReviewComment
  thread?: GhThread
  checkRun?: GhCheckRun
  status?: GhStatus
  label?: GhLabel
  assignee?: GhUser
  requestedReviewer?: GhUser
  changes?: Record<string, { from: unknown }>
  before?: string
  after?: string
  /** push: the full ref name */
  ref?: string
}

export type Notify = { notify?: boolean; sender?: GhUser; at?: Date }

export const iso = (d: Date = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')
const LABEL_COLORS = ['d73a4a', '0075ca', 'a2eeef', '7057ff', '008672', 'e4e669', 'd876e3', 'cfd3d7']

export class GitHubState {
  private nextId = 1000
  readonly users = new Map<string, GhUser>()
  /** access token -> login */
  readonly tokens = new Map<string, string>()
  /** OAuth code -> login and client, single use */
  readonly codes = new Map<string, { login: string; clientId: string; redirectUri: string }>()
  readonly oauthApps = new Map<string, OAuthApp>()
  readonly repos = new Map<string, GhRepo>()
  readonly installations = new Map<number, GhInstallation>()
  readonly installationTokens = new Map<string, InstallationToken>()
  app!: GhApp
  /** Set by the emulator: where changes go to become webhooks. */
  onChange: (change: GhChange) => void = () => {}

  constructor(readonly gitRoot: string) {}

  id(): number {
    return this.nextId++
  }

  addUser(login: string, init: Partial<Omit<GhUser, 'login' | 'id'>> = {}): GhUser {
    const existing = this.users.get(login.toLowerCase())
    if (existing) return existing
    const user: GhUser = {
      id: this.id(),
      login,
      name: init.name ?? null,
      email: init.email ?? null,
      type: init.type ?? 'User',
      createdAt: init.createdAt ?? iso(new Date('2020-01-01T00:00:00Z')),
    }
    this.users.set(login.toLowerCase(), user)
    return user
  }

  addOrg(login: string, init: { name?: string } = {}): GhUser {
    return this.addUser(login, { ...init, type: 'Organization' })
  }

  user(login: string): GhUser | undefined {
    return this.users.get(login.toLowerCase())
  }

  /** Mints a token for a user directly (tests that skip the OAuth dance). */
  tokenFor(login: string): string {
    const token = `gho_${randomToken()}`
    this.tokens.set(token, login)
    return token
  }

  /** The App is installed on every account that owns a repository, for all its repositories. */
  installationFor(account: GhUser): GhInstallation {
    for (const inst of this.installations.values()) if (inst.account.id === account.id) return inst
    const inst = { id: this.id(), account, createdAt: iso() }
    this.installations.set(inst.id, inst)
    return inst
  }

  installationOf(repo: GhRepo): GhInstallation {
    return this.installationFor(repo.owner)
  }

  /** An installation token without the JWT exchange, for tests. */
  installationToken(fullName: string): string {
    const repo = this.requireRepo(fullName)
    const token = `ghs_${randomToken(27)}`
    this.installationTokens.set(token, {
      token,
      installationId: this.installationOf(repo).id,
      permissions: { ...APP_PERMISSIONS },
      expiresAt: new Date(Date.now() + 3600_000),
    })
    return token
  }

  /** Creates the repository with a real bare git repository holding a README on the default branch. */
  addRepo(
    fullName: string,
    init: { description?: string; private?: boolean; defaultBranch?: string; readme?: string } = {},
  ): GhRepo {
    const existing = this.repo(fullName)
    if (existing) return existing
    const [ownerLogin, name] = fullName.split('/') as [string, string]
    const owner = this.user(ownerLogin) ?? this.addOrg(ownerLogin)
    const id = this.id()
    const defaultBranch = init.defaultBranch ?? 'main'
    const gitDir = join(this.gitRoot, `${id}.git`)
    initBare(gitDir, defaultBranch)
    commitFiles(gitDir, {
      branch: defaultBranch,
      files: { 'README.md': init.readme ?? `# ${name}\n\n${init.description ?? ''}\n` },
      message: 'Initial commit',
    })
    const now = iso()
    const repo: GhRepo = {
      id,
      owner,
      name,
      description: init.description ?? null,
      private: init.private ?? false,
      defaultBranch,
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      gitDir,
      labels: new Map(),
      issues: new Map(),
      nextNumber: 1,
      checkRuns: [],
      statuses: [],
    }
    this.repos.set(fullName.toLowerCase(), repo)
    this.installationFor(owner)
    return repo
  }

  repo(fullName: string): GhRepo | undefined {
    return this.repos.get(fullName.toLowerCase())
  }

  requireRepo(fullName: string): GhRepo {
    const repo = this.repo(fullName)
    if (!repo) throw new Error(`no repository ${fullName}`)
    return repo
  }

  requireUser(login: string): GhUser {
    return this.user(login) ?? this.addUser(login)
  }

  private emit(opts: Notify, change: Omit<GhChange, 'sender'> & { sender?: GhUser }) {
    if (!opts.notify) return
    this.onChange({ ...change, sender: change.sender ?? opts.sender ?? change.repo.owner })
  }

  label(repo: GhRepo, name: string, init: { color?: string; description?: string } = {}): GhLabel {
    const existing = repo.labels.get(name.toLowerCase())
    if (existing) return existing
    const label = {
      id: this.id(),
      name,
      color: init.color ?? LABEL_COLORS[repo.labels.size % LABEL_COLORS.length]!,
      description: init.description ?? null,
    }
    repo.labels.set(name.toLowerCase(), label)
    return label
  }

  issue(repo: GhRepo, number: number): GhIssue | undefined {
    return repo.issues.get(number)
  }

  requireIssue(fullName: string, number: number): GhIssue {
    const issue = this.requireRepo(fullName).issues.get(number)
    if (!issue) throw new Error(`no issue ${fullName}#${number}`)
    return issue
  }

  addIssue(
    fullName: string,
    init: {
      title: string
      body?: string
      author?: string
      labels?: string[]
      assignees?: string[]
      state?: 'open' | 'closed'
      createdAt?: Date
    },
    opts: Notify = {},
  ): GhIssue {
    const repo = this.requireRepo(fullName)
    const user = this.requireUser(init.author ?? repo.owner.login)
    const at = iso(init.createdAt ?? opts.at)
    const issue: GhIssue = {
      id: this.id(),
      number: repo.nextNumber++,
      title: init.title,
      body: init.body ?? null,
      user,
      state: 'open',
      stateReason: null,
      labels: (init.labels ?? []).map((l) => this.label(repo, l)),
      assignees: (init.assignees ?? []).map((l) => this.requireUser(l)),
      comments: [],
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      closedBy: null,
    }
    repo.issues.set(issue.number, issue)
    this.emit(opts, { event: 'issues', action: 'opened', repo, issue, sender: user })
    if (init.state === 'closed') this.setIssueState(repo, issue, 'closed', { ...opts, sender: user })
    return issue
  }

  /** `updated_at` only moves forward, also when a seed back-dates a comment. */
  touch(repo: GhRepo, issue: GhIssue, at?: Date) {
    const t = iso(at)
    if (t > issue.updatedAt) issue.updatedAt = t
    if (t > repo.updatedAt) repo.updatedAt = t
  }

  setIssueState(
    repo: GhRepo,
    issue: GhIssue,
    state: 'open' | 'closed',
    opts: Notify & { reason?: 'completed' | 'not_planned' } = {},
  ) {
    if (issue.state === state) return
    issue.state = state
    this.touch(repo, issue, opts.at)
    issue.closedAt = state === 'closed' ? issue.updatedAt : null
    issue.closedBy = state === 'closed' ? (opts.sender ?? issue.user) : null
    issue.stateReason = state === 'closed' ? (opts.reason ?? 'completed') : 'reopened'
    const event = issue.pull ? 'pull_request' : 'issues'
    this.emit(opts, { event, action: state === 'closed' ? 'closed' : 'reopened', repo, issue })
  }

  editIssue(repo: GhRepo, issue: GhIssue, edit: { title?: string; body?: string | null }, opts: Notify = {}) {
    const changes: Record<string, { from: unknown }> = {}
    if (edit.title !== undefined && edit.title !== issue.title) {
      changes.title = { from: issue.title }
      issue.title = edit.title
    }
    if (edit.body !== undefined && edit.body !== issue.body) {
      changes.body = { from: issue.body }
      issue.body = edit.body
    }
    if (!Object.keys(changes).length) return
    this.touch(repo, issue, opts.at)
    const event = issue.pull ? 'pull_request' : 'issues'
    this.emit(opts, { event, action: 'edited', repo, issue, changes })
  }

  addLabels(repo: GhRepo, issue: GhIssue, names: string[], opts: Notify = {}) {
    for (const name of names) {
      if (issue.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) continue
      const label = this.label(repo, name)
      issue.labels.push(label)
      this.touch(repo, issue, opts.at)
      this.emit(opts, {
        event: issue.pull ? 'pull_request' : 'issues',
        action: 'labeled',
        repo,
        issue,
        label,
      })
    }
  }

  removeLabel(repo: GhRepo, issue: GhIssue, name: string, opts: Notify = {}): boolean {
    const label = issue.labels.find((l) => l.name.toLowerCase() === name.toLowerCase())
    if (!label) return false
    issue.labels = issue.labels.filter((l) => l !== label)
    this.touch(repo, issue, opts.at)
    this.emit(opts, {
      event: issue.pull ? 'pull_request' : 'issues',
      action: 'unlabeled',
      repo,
      issue,
      label,
    })
    return true
  }

  addAssignees(repo: GhRepo, issue: GhIssue, logins: string[], opts: Notify = {}) {
    for (const login of logins) {
      const user = this.requireUser(login)
      if (issue.assignees.some((a) => a.id === user.id)) continue
      issue.assignees.push(user)
      this.touch(repo, issue, opts.at)
      const event = issue.pull ? 'pull_request' : 'issues'
      this.emit(opts, { event, action: 'assigned', repo, issue, assignee: user })
    }
  }

  removeAssignees(repo: GhRepo, issue: GhIssue, logins: string[], opts: Notify = {}) {
    for (const login of logins) {
      const user = issue.assignees.find((a) => a.login.toLowerCase() === login.toLowerCase())
      if (!user) continue
      issue.assignees = issue.assignees.filter((a) => a !== user)
      this.touch(repo, issue, opts.at)
      const event = issue.pull ? 'pull_request' : 'issues'
      this.emit(opts, { event, action: 'unassigned', repo, issue, assignee: user })
    }
  }

  addComment(fullName: string, number: number, init: { author: string; body: string }, opts: Notify = {}) {
    const repo = this.requireRepo(fullName)
    const issue = this.requireIssue(fullName, number)
    const user = this.requireUser(init.author)
    const at = iso(opts.at)
    const comment: GhComment = { id: this.id(), user, body: init.body, createdAt: at, updatedAt: at }
    issue.comments.push(comment)
    this.touch(repo, issue, opts.at)
    this.emit(opts, { event: 'issue_comment', action: 'created', repo, issue, comment, sender: user })
    return comment
  }

  /** A pull request whose head branch really exists: created from the base with `files`, unless it exists. */
  addPull(
    fullName: string,
    init: {
      title: string
      body?: string
      author?: string
      head: string
      base?: string
      draft?: boolean
      labels?: string[]
      assignees?: string[]
      requestedReviewers?: string[]
      files?: Record<string, string>
      createdAt?: Date
    },
    opts: Notify = {},
  ): GhIssue {
    const repo = this.requireRepo(fullName)
    const baseRef = init.base ?? repo.defaultBranch
    const baseSha = revParse(repo.gitDir, `refs/heads/${baseRef}`)
    if (!baseSha) throw new Error(`no base branch ${baseRef}`)
    let headSha = revParse(repo.gitDir, `refs/heads/${init.head}`)
    if (!headSha)
      headSha = commitFiles(repo.gitDir, {
        branch: init.head,
        from: baseSha,
        files: init.files ?? { [`${init.head.replace(/[^\w.-]/g, '-')}.md`]: `${init.title}\n` },
        message: init.title,
        date: init.createdAt,
      })
    const issue = this.addIssue(fullName, {
      title: init.title,
      body: init.body,
      author: init.author,
      labels: init.labels,
      assignees: init.assignees,
      createdAt: init.createdAt,
    })
    issue.pull = {
      id: this.id(),
      draft: init.draft ?? false,
      head: { ref: init.head, sha: headSha },
      base: { ref: baseRef, sha: baseSha },
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      requestedReviewers: (init.requestedReviewers ?? []).map((l) => this.requireUser(l)),
      reviews: [],
      threads: [],
    }
    this.emit(opts, { event: 'pull_request', action: 'opened', repo, issue, sender: issue.user })
    return issue
  }

  requirePull(fullName: string, number: number): GhIssue & { pull: GhPull } {
    const issue = this.requireIssue(fullName, number)
    if (!issue.pull) throw new Error(`${fullName}#${number} is not a pull request`)
    return issue as GhIssue & { pull: GhPull }
  }

  /** Adds a commit to the PR's head branch (as a push would) and moves the head: `synchronize`. */
  pushToPull(fullName: string, number: number, files: Record<string, string>, opts: Notify = {}): string {
    const repo = this.requireRepo(fullName)
    const issue = this.requirePull(fullName, number)
    const before = branches(repo.gitDir)
    commitFiles(repo.gitDir, {
      branch: issue.pull.head.ref,
      files,
      message: `Update #${number}`,
      date: opts.at,
    })
    this.recordPush(repo, before, { ...opts, sender: opts.sender ?? issue.user })
    return issue.pull.head.sha
  }

  /** After refs moved (a git push): a `push` per changed branch, then `synchronize` for moved PR heads. */
  recordPush(repo: GhRepo, before: Map<string, string>, opts: Notify & { sender: GhUser }) {
    const after = branches(repo.gitDir)
    const zero = '0'.repeat(40)
    for (const name of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(name) ?? zero
      const now = after.get(name) ?? zero
      if (was === now) continue
      repo.pushedAt = iso(opts.at)
      this.emit(opts, { event: 'push', repo, ref: `refs/heads/${name}`, before: was, after: now })
    }
    this.syncBranches(repo, opts)
  }

  /** After a push: pull requests whose head branch moved get the new sha and a `synchronize`. */
  syncBranches(repo: GhRepo, opts: Notify = {}) {
    const heads = branches(repo.gitDir)
    for (const issue of repo.issues.values()) {
      const pull = issue.pull
      if (!pull || issue.state !== 'open') continue
      const sha = heads.get(pull.head.ref)
      if (!sha || sha === pull.head.sha) continue
      const before = pull.head.sha
      pull.head.sha = sha
      repo.pushedAt = iso(opts.at)
      this.touch(repo, issue, opts.at)
      this.emit(opts, { event: 'pull_request', action: 'synchronize', repo, issue, before, after: sha })
    }
  }

  markReady(fullName: string, number: number, opts: Notify = {}) {
    const repo = this.requireRepo(fullName)
    const issue = this.requirePull(fullName, number)
    if (!issue.pull.draft) return
    issue.pull.draft = false
    this.touch(repo, issue, opts.at)
    this.emit(opts, { event: 'pull_request', action: 'ready_for_review', repo, issue })
  }

  requestReviewers(repo: GhRepo, issue: GhIssue & { pull: GhPull }, logins: string[], opts: Notify = {}) {
    for (const login of logins) {
      const user = this.requireUser(login)
      if (issue.pull.requestedReviewers.some((u) => u.id === user.id)) continue
      issue.pull.requestedReviewers.push(user)
      this.touch(repo, issue, opts.at)
      this.emit(opts, {
        event: 'pull_request',
        action: 'review_requested',
        repo,
        issue,
        requestedReviewer: user,
      })
    }
  }

  removeRequestedReviewers(
    repo: GhRepo,
    issue: GhIssue & { pull: GhPull },
    logins: string[],
    opts: Notify = {},
  ) {
    for (const login of logins) {
      const user = issue.pull.requestedReviewers.find((u) => u.login.toLowerCase() === login.toLowerCase())
      if (!user) continue
      issue.pull.requestedReviewers = issue.pull.requestedReviewers.filter((u) => u !== user)
      this.touch(repo, issue, opts.at)
      this.emit(opts, {
        event: 'pull_request',
        action: 'review_request_removed',
        repo,
        issue,
        requestedReviewer: user,
      })
    }
  }

  addReview(
    fullName: string,
    number: number,
    init: {
      author: string
      state: ReviewState
      body?: string
      commitId?: string
      comments?: { path: string; line?: number; body: string }[]
    },
    opts: Notify = {},
  ): GhReview {
    const repo = this.requireRepo(fullName)
    const issue = this.requirePull(fullName, number)
    const user = this.requireUser(init.author)
    const review: GhReview = {
      id: this.id(),
      user,
      body: init.body ?? '',
      state: init.state,
      commitId: init.commitId ?? issue.pull.head.sha,
      submittedAt: init.state === 'PENDING' ? null : iso(opts.at),
    }
    issue.pull.reviews.push(review)
    for (const c of init.comments ?? [])
      this.addThread(fullName, number, { ...c, author: init.author, reviewId: review.id }, opts)
    if (review.state === 'PENDING') return review
    // Submitting a review satisfies that reviewer's request, as on GitHub.
    issue.pull.requestedReviewers = issue.pull.requestedReviewers.filter((u) => u.id !== user.id)
    this.touch(repo, issue, opts.at)
    this.emit(opts, { event: 'pull_request_review', action: 'submitted', repo, issue, review, sender: user })
    return review
  }

  /** A review thread: its first comment starts it; `resolved` is what only GraphQL shows. */
  addThread(
    fullName: string,
    number: number,
    init: {
      author: string
      body: string
      path?: string
      line?: number
      resolved?: boolean
      reviewId?: number
      replies?: { author: string; body: string; createdAt?: Date }[]
      createdAt?: Date
    },
    opts: Notify = {},
  ): GhThread {
    const issue = this.requirePull(fullName, number)
    const thread: GhThread = { id: this.id(), resolved: init.resolved ?? false, comments: [] }
    issue.pull.threads.push(thread)
    const first = this.addReviewComment(fullName, number, thread, { ...init }, opts)
    for (const r of init.replies ?? [])
      this.addReviewComment(
        fullName,
        number,
        thread,
        { ...r, path: first.path, line: first.line, inReplyTo: first.id },
        opts,
      )
    return thread
  }

  addReviewComment(
    fullName: string,
    number: number,
    thread: GhThread,
    init: {
      author: string
      body: string
      path?: string
      line?: number
      reviewId?: number
      inReplyTo?: number
      createdAt?: Date
    },
    opts: Notify = {},
  ): GhReviewComment {
    const repo = this.requireRepo(fullName)
    const issue = this.requirePull(fullName, number)
    const at = iso(init.createdAt ?? opts.at)
    const comment: GhReviewComment = {
      id: this.id(),
      reviewId: init.reviewId ?? null,
      user: this.requireUser(init.author),
      body: init.body,
      path: init.path ?? 'README.md',
      line: init.line ?? 1,
      commitId: issue.pull.head.sha,
      inReplyTo: init.inReplyTo ?? null,
      createdAt: at,
      updatedAt: at,
    }
    thread.comments.push(comment)
    this.touch(repo, issue, init.createdAt ?? opts.at)
    this.emit(opts, {
      event: 'pull_request_review_comment',
      action: 'created',
      repo,
      issue,
      reviewComment: comment,
      sender: comment.user,
    })
    return comment
  }

  /** Resolving happens in GitHub's UI or GraphQL only; the webhook is `pull_request_review_thread`. */
  resolveThread(fullName: string, number: number, thread: GhThread, resolved = true, opts: Notify = {}) {
    if (thread.resolved === resolved) return
    const repo = this.requireRepo(fullName)
    const issue = this.requirePull(fullName, number)
    thread.resolved = resolved
    this.emit(opts, {
      event: 'pull_request_review_thread',
      action: resolved ? 'resolved' : 'unresolved',
      repo,
      issue,
      thread,
    })
  }

  mergePull(repo: GhRepo, issue: GhIssue & { pull: GhPull }, sha: string, opts: Notify = {}) {
    const pull = issue.pull
    pull.merged = true
    pull.mergedAt = iso(opts.at)
    pull.mergedBy = opts.sender ?? repo.owner
    pull.mergeCommitSha = sha
    issue.state = 'closed'
    issue.closedAt = pull.mergedAt
    issue.closedBy = pull.mergedBy
    this.touch(repo, issue, opts.at)
    this.emit(opts, { event: 'pull_request', action: 'closed', repo, issue })
  }

  /** `ref` may be a sha, a branch or a tag, like GitHub's `{ref}` path parameter. */
  resolveRef(repo: GhRepo, ref: string): string | undefined {
    return revParse(repo.gitDir, ref)
  }

  addCheckRun(
    fullName: string,
    init: {
      headSha: string
      name: string
      status?: CheckStatus
      conclusion?: CheckConclusion | null
      detailsUrl?: string
      externalId?: string
      output?: { title?: string; summary?: string; text?: string }
    },
    opts: Notify = {},
  ): GhCheckRun {
    const repo = this.requireRepo(fullName)
    const at = iso(opts.at)
    const completed = init.conclusion ? 'completed' : undefined
    const status = init.status ?? completed ?? 'queued'
    const run: GhCheckRun = {
      id: this.id(),
      suiteId: this.suiteId(repo, init.headSha),
      headSha: init.headSha,
      name: init.name,
      status,
      conclusion: status === 'completed' ? (init.conclusion ?? 'neutral') : null,
      startedAt: at,
      completedAt: status === 'completed' ? at : null,
      externalId: init.externalId ?? '',
      detailsUrl: init.detailsUrl ?? null,
      output: {
        title: init.output?.title ?? null,
        summary: init.output?.summary ?? null,
        text: init.output?.text ?? null,
      },
      app: this.app,
    }
    repo.checkRuns.push(run)
    const sender = opts.sender ?? this.app.bot
    this.emit(opts, { event: 'check_run', action: 'created', repo, checkRun: run, sender })
    if (run.status === 'completed')
      this.emit(opts, { event: 'check_run', action: 'completed', repo, checkRun: run, sender })
    return run
  }

  updateCheckRun(
    repo: GhRepo,
    run: GhCheckRun,
    patch: Partial<Pick<GhCheckRun, 'name' | 'status' | 'conclusion' | 'detailsUrl' | 'externalId'>> & {
      output?: { title?: string; summary?: string; text?: string }
    },
    opts: Notify = {},
  ) {
    const wasCompleted = run.status === 'completed'
    if (patch.name !== undefined) run.name = patch.name
    if (patch.detailsUrl !== undefined) run.detailsUrl = patch.detailsUrl
    if (patch.externalId !== undefined) run.externalId = patch.externalId
    if (patch.output) run.output = { ...run.output, ...patch.output }
    if (patch.conclusion) {
      run.status = 'completed'
      run.conclusion = patch.conclusion
    } else if (patch.status) run.status = patch.status
    if (run.status === 'completed') {
      run.conclusion ??= 'neutral'
      run.completedAt ??= iso(opts.at)
    }
    const action = run.status === 'completed' && !wasCompleted ? 'completed' : undefined
    if (action)
      this.emit(opts, {
        event: 'check_run',
        action,
        repo,
        checkRun: run,
        sender: opts.sender ?? this.app.bot,
      })
  }

  private suiteId(repo: GhRepo, sha: string): number {
    return repo.checkRuns.find((r) => r.headSha === sha)?.suiteId ?? this.id()
  }

  addStatus(
    fullName: string,
    init: {
      sha: string
      state: StatusState
      context?: string
      description?: string
      targetUrl?: string
      creator?: string
    },
    opts: Notify = {},
  ): GhStatus {
    const repo = this.requireRepo(fullName)
    const at = iso(opts.at)
    const status: GhStatus = {
      id: this.id(),
      sha: init.sha,
      state: init.state,
      context: init.context ?? 'default',
      description: init.description ?? null,
      targetUrl: init.targetUrl ?? null,
      creator: opts.sender ?? this.requireUser(init.creator ?? repo.owner.login),
      createdAt: at,
      updatedAt: at,
    }
    repo.statuses.push(status)
    this.emit(opts, { event: 'status', repo, status, sender: status.creator })
    return status
  }
}

export function randomToken(bytes = 18): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url')
}
