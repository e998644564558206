import type { CommitInfo } from './git'
import type {
  GhApp,
  GhCheckRun,
  GhComment,
  GhInstallation,
  GhIssue,
  GhLabel,
  GhPull,
  GhRepo,
  GhReview,
  GhReviewComment,
  GhStatus,
  GhUser,
  StatusState,
} from './state'

/** GitHub's REST shapes, built from emulator state. `base` serves as both the API and the web root. */
const nodeId = (kind: string, id: number) => Buffer.from(`0:${kind}${id}`).toString('base64')

export function userShape(base: string, u: GhUser) {
  // Bots' logins end in `[bot]`, which URLs carry escaped.
  const login = encodeURIComponent(u.login)
  const api = `${base}/users/${login}`
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId('User', u.id),
    avatar_url: `${base}/avatars/${login}`,
    gravatar_id: '',
    url: api,
    html_url: `${base}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  }
}

export function publicUserShape(base: string, u: GhUser) {
  return {
    ...userShape(base, u),
    name: u.name,
    company: null,
    blog: '',
    location: null,
    email: u.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.createdAt,
    updated_at: u.createdAt,
  }
}

export function privateUserShape(base: string, u: GhUser) {
  return {
    ...publicUserShape(base, u),
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  }
}

export function orgShape(base: string, o: GhUser) {
  const api = `${base}/orgs/${o.login}`
  return {
    login: o.login,
    id: o.id,
    node_id: nodeId('Organization', o.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${base}/avatars/${o.login}`,
    description: null,
  }
}

export function fullOrgShape(base: string, o: GhUser, publicRepos: number) {
  return {
    ...orgShape(base, o),
    name: o.name,
    is_verified: false,
    html_url: `${base}/${o.login}`,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    type: 'Organization',
    created_at: o.createdAt,
    updated_at: o.createdAt,
    archived_at: null,
  }
}

export const fullName = (r: GhRepo) => `${r.owner.login}/${r.name}`

export function repoShape(base: string, r: GhRepo) {
  const api = `${base}/repos/${fullName(r)}`
  const open = [...r.issues.values()].filter((i) => i.state === 'open').length
  return {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: fullName(r),
    private: r.private,
    owner: userShape(base, r.owner),
    html_url: `${base}/${fullName(r)}`,
    description: r.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `${base.replace(/^http/, 'git')}/${fullName(r)}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${new URL(base).host}:${fullName(r)}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${base}/${fullName(r)}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `${base}/${fullName(r)}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 1,
    default_branch: r.defaultBranch,
    open_issues_count: open,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushedAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    forks: 0,
    open_issues: open,
    watchers: 0,
  }
}

export function fullRepoShape(base: string, r: GhRepo) {
  return {
    ...repoShape(base, r),
    ...(r.owner.type === 'Organization' ? { organization: userShape(base, r.owner) } : {}),
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    network_count: 0,
    subscribers_count: 0,
  }
}

export function labelShape(base: string, r: GhRepo, l: GhLabel) {
  return {
    id: l.id,
    node_id: nodeId('Label', l.id),
    url: `${base}/repos/${fullName(r)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: false,
    description: l.description,
  }
}

/** OWNER for the repository owner, else CONTRIBUTOR/NONE — enough for "new author" rules to see. */
function association(r: GhRepo, u: GhUser): string {
  if (u.id === r.owner.id) return 'OWNER'
  const authored = [...r.issues.values()].some((i) => i.user.id === u.id && i.pull?.merged)
  return authored ? 'CONTRIBUTOR' : u.type === 'Bot' ? 'NONE' : 'MEMBER'
}

export function issueShape(base: string, r: GhRepo, i: GhIssue) {
  const api = `${base}/repos/${fullName(r)}`
  const url = `${api}/issues/${i.number}`
  return {
    id: i.id,
    node_id: nodeId(i.pull ? 'PullRequestIssue' : 'Issue', i.id),
    url,
    repository_url: api,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${base}/${fullName(r)}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: userShape(base, i.user),
    labels: i.labels.map((l) => labelShape(base, r, l)),
    assignee: i.assignees[0] ? userShape(base, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => userShape(base, a)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments.length,
    ...(i.pull
      ? {
          draft: i.pull.draft,
          pull_request: {
            url: `${api}/pulls/${i.number}`,
            html_url: `${base}/${fullName(r)}/pull/${i.number}`,
            diff_url: `${base}/${fullName(r)}/pull/${i.number}.diff`,
            patch_url: `${base}/${fullName(r)}/pull/${i.number}.patch`,
            merged_at: i.pull.mergedAt,
          },
        }
      : {}),
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_by: i.closedBy ? userShape(base, i.closedBy) : null,
    author_association: association(r, i.user),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    reactions: reactions(`${url}/reactions`),
  }
}

const reactions = (url: string) => ({
  url,
  total_count: 0,
  '+1': 0,
  '-1': 0,
  laugh: 0,
  hooray: 0,
  confused: 0,
  heart: 0,
  rocket: 0,
  eyes: 0,
})

export function commentShape(base: string, r: GhRepo, i: GhIssue, c: GhComment) {
  const api = `${base}/repos/${fullName(r)}`
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${base}/${fullName(r)}/issues/${i.number}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${i.number}`,
    body: c.body,
    user: userShape(base, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: association(r, c.user),
    performed_via_github_app: null,
    reactions: reactions(`${api}/issues/comments/${c.id}/reactions`),
  }
}

function branchShape(base: string, r: GhRepo, ref: string, sha: string) {
  return {
    label: `${r.owner.login}:${ref}`,
    ref,
    sha,
    user: userShape(base, r.owner),
    repo: repoShape(base, r),
  }
}

type Pull = GhIssue & { pull: GhPull }

/** The list shape (pull-request-simple); `pullShape` adds what only GET one answers. */
export function pullSimpleShape(base: string, r: GhRepo, i: Pull) {
  const api = `${base}/repos/${fullName(r)}`
  const url = `${api}/pulls/${i.number}`
  const html = `${base}/${fullName(r)}/pull/${i.number}`
  const p = i.pull
  return {
    url,
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${i.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${i.number}/comments`,
    statuses_url: `${api}/statuses/${p.head.sha}`,
    number: i.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: userShape(base, i.user),
    body: i.body,
    labels: i.labels.map((l) => labelShape(base, r, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: i.assignees[0] ? userShape(base, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => userShape(base, a)),
    requested_reviewers: p.requestedReviewers.map((u) => userShape(base, u)),
    requested_teams: [],
    head: branchShape(base, r, p.head.ref, p.head.sha),
    base: branchShape(base, r, p.base.ref, p.base.sha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: `${api}/issues/${i.number}` },
      comments: { href: `${api}/issues/${i.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${p.head.sha}` },
    },
    author_association: association(r, i.user),
    auto_merge: null,
    draft: p.draft,
  }
}

export function pullShape(base: string, r: GhRepo, i: Pull) {
  const p = i.pull
  const open = i.state === 'open'
  return {
    ...pullSimpleShape(base, r, i),
    merged: p.merged,
    mergeable: open ? true : null,
    rebaseable: open ? true : null,
    mergeable_state: !open ? 'unknown' : p.draft ? 'draft' : 'clean',
    merged_by: p.mergedBy ? userShape(base, p.mergedBy) : null,
    comments: i.comments.length,
    review_comments: p.threads.reduce((n, t) => n + t.comments.length, 0),
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  }
}

export function reviewShape(base: string, r: GhRepo, i: Pull, v: GhReview) {
  const html = `${base}/${fullName(r)}/pull/${i.number}`
  return {
    id: v.id,
    node_id: nodeId('PullRequestReview', v.id),
    user: userShape(base, v.user),
    body: v.body,
    state: v.state,
    html_url: `${html}#pullrequestreview-${v.id}`,
    pull_request_url: `${base}/repos/${fullName(r)}/pulls/${i.number}`,
    _links: { html: { href: `${html}#pullrequestreview-${v.id}` }, pull_request: { href: html } },
    ...(v.submittedAt ? { submitted_at: v.submittedAt } : {}),
    commit_id: v.commitId,
    author_association: association(r, v.user),
  }
}

export function reviewCommentShape(base: string, r: GhRepo, i: Pull, c: GhReviewComment) {
  const api = `${base}/repos/${fullName(r)}`
  const html = `${base}/${fullName(r)}/pull/${i.number}#discussion_r${c.id}`
  return {
    url: `${api}/pulls/comments/${c.id}`,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: nodeId('PullRequestReviewComment', c.id),
    diff_hunk: `@@ -1,1 +1,1 @@\n+${c.path}`,
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    user: userShape(base, c.user),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    html_url: html,
    pull_request_url: `${api}/pulls/${i.number}`,
    author_association: association(r, c.user),
    _links: {
      self: { href: `${api}/pulls/comments/${c.id}` },
      html: { href: html },
      pull_request: { href: `${api}/pulls/${i.number}` },
    },
    ...(c.inReplyTo ? { in_reply_to_id: c.inReplyTo } : {}),
    position: c.line,
    original_position: c.line,
    line: c.line,
    original_line: c.line,
    side: 'RIGHT',
    start_line: null,
    original_start_line: null,
    start_side: null,
    subject_type: 'line',
    reactions: reactions(`${api}/pulls/comments/${c.id}/reactions`),
  }
}

export function appShape(base: string, a: GhApp) {
  return {
    id: a.id,
    slug: a.slug,
    node_id: nodeId('Integration', a.id),
    client_id: a.clientId,
    owner: userShape(base, a.owner),
    name: a.name,
    description: 'Bosun, emulated',
    external_url: base,
    html_url: `${base}/apps/${a.slug}`,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
  }
}

export const APP_PERMISSIONS = {
  checks: 'write',
  contents: 'write',
  issues: 'write',
  metadata: 'read',
  pull_requests: 'write',
  statuses: 'write',
} as const
export const APP_EVENTS = [
  'check_run',
  'issue_comment',
  'issues',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'push',
  'status',
]

export function checkRunShape(base: string, r: GhRepo, c: GhCheckRun, pulls: Pull[]) {
  const api = `${base}/repos/${fullName(r)}`
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: nodeId('CheckRun', c.id),
    external_id: c.externalId,
    url: `${api}/check-runs/${c.id}`,
    html_url: `${base}/${fullName(r)}/runs/${c.id}`,
    details_url: c.detailsUrl ?? `${base}/${fullName(r)}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: 0,
      annotations_url: `${api}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.suiteId },
    app: appShape(base, c.app),
    pull_requests: pulls
      .filter((p) => p.state === 'open' && p.pull.head.sha === c.headSha)
      .map((p) => ({
        id: p.pull.id,
        number: p.number,
        url: `${api}/pulls/${p.number}`,
        head: { ref: p.pull.head.ref, sha: p.pull.head.sha, repo: { id: r.id, url: api, name: r.name } },
        base: { ref: p.pull.base.ref, sha: p.pull.base.sha, repo: { id: r.id, url: api, name: r.name } },
      })),
  }
}

export function statusShape(base: string, r: GhRepo, s: GhStatus) {
  return {
    url: `${base}/repos/${fullName(r)}/statuses/${s.sha}`,
    avatar_url: `${base}/avatars/${encodeURIComponent(s.creator.login)}`,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    creator: userShape(base, s.creator),
  }
}

/** GitHub's combined state: failure if any failed or errored, pending if any pending or none, else success. */
export function combinedState(statuses: GhStatus[]): StatusState {
  if (statuses.some((s) => s.state === 'failure' || s.state === 'error')) return 'failure'
  if (!statuses.length || statuses.some((s) => s.state === 'pending')) return 'pending'
  return 'success'
}

export function installationShape(base: string, inst: GhInstallation, app: GhApp) {
  return {
    id: inst.id,
    client_id: app.clientId,
    // GitHub's /app/installations describes the account as user and enterprise at once.
    account: {
      ...userShape(base, inst.account),
      name: inst.account.name ?? inst.account.login,
      slug: inst.account.login.toLowerCase(),
      created_at: inst.account.createdAt,
      updated_at: inst.account.createdAt,
    },
    repository_selection: 'all',
    access_tokens_url: `${base}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `${base}/organizations/${inst.account.login}/settings/installations/${inst.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: inst.account.id,
    target_type: inst.account.type,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  }
}

export function commitShape(base: string, r: GhRepo, c: CommitInfo) {
  const api = `${base}/repos/${fullName(r)}`
  return {
    sha: c.sha,
    node_id: nodeId('Commit', Number.parseInt(c.sha.slice(0, 8), 16)),
    commit: {
      author: c.author,
      committer: c.committer,
      message: c.message,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      url: `${api}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: `${api}/commits/${c.sha}`,
    html_url: `${base}/${fullName(r)}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    author: null,
    committer: null,
    parents: c.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${base}/${fullName(r)}/commit/${sha}`,
    })),
  }
}
