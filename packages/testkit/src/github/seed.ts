import type { GitHubState } from './state'

const REPO = 'demo-org/demo-repo'
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000)

/** A repository whose pull requests land in every dashboard bucket, for `npm run dev` and demos. */
export function seedDemo(state: GitHubState): void {
  state.addUser('octo-admin', { name: 'Octo Admin', email: 'admin@octo.invalid' })
  state.addUser('octo-dev', { name: 'Octo Dev', email: 'dev@octo.invalid' })
  state.addUser('octo-new', { name: 'Octo Newcomer', email: 'new@octo.invalid' })
  state.addOrg('demo-org', { name: 'Demo Org' })
  state.addRepo(REPO, {
    description: 'A demo repository served by the GitHub emulator',
    readme: '# demo-repo\n\nServed by the Bosun GitHub emulator.\n',
  })
  const repo = state.requireRepo(REPO)
  for (const [name, color, description] of [
    ['bug', 'd73a4a', "Something isn't working"],
    ['enhancement', 'a2eeef', 'New feature or request'],
    ['documentation', '0075ca', 'Improvements or additions to documentation'],
    ['bosun:trigger', '5319e7', 'Ask Bosun to work on this'],
  ] as const)
    state.label(repo, name, { color, description })

  state.addIssue(REPO, {
    title: 'Login page crashes on empty password',
    body: 'Steps: open /login, submit without a password.',
    author: 'octo-dev',
    labels: ['bug'],
    assignees: ['octo-dev'],
    createdAt: hoursAgo(72),
  })
  state.addIssue(REPO, {
    title: 'Add dark mode',
    body: 'It would be nice to have a dark theme.',
    author: 'octo-new',
    labels: ['enhancement'],
    createdAt: hoursAgo(48),
  })
  state.addIssue(REPO, {
    title: 'Document the release process',
    author: 'octo-admin',
    createdAt: hoursAgo(30),
  })
  state.addIssue(REPO, {
    title: 'Typo in README',
    author: 'octo-new',
    labels: ['documentation'],
    state: 'closed',
    createdAt: hoursAgo(100),
  })

  const green = (sha: string) => {
    state.addCheckRun(REPO, { headSha: sha, name: 'build', conclusion: 'success' })
    state.addCheckRun(REPO, { headSha: sha, name: 'test', conclusion: 'success' })
    state.addStatus(REPO, { sha, state: 'success', context: 'ci/lint', creator: 'octo-admin' })
  }

  const ready = state.addPull(REPO, {
    title: 'Validate the password field',
    body: 'Fixes #1',
    author: 'octo-dev',
    head: 'fix/login-validation',
    files: { 'src/login.ts': 'export const valid = (p: string) => p.length > 0\n' },
    createdAt: hoursAgo(20),
  })
  green(ready.pull!.head.sha)
  state.addThread(REPO, ready.number, {
    author: 'octo-admin',
    body: 'Should this trim whitespace?',
    path: 'src/login.ts',
    resolved: true,
    replies: [{ author: 'octo-dev', body: 'Done.' }],
  })
  state.addReview(REPO, ready.number, { author: 'octo-admin', state: 'APPROVED', body: 'Looks good.' })

  const failing = state.addPull(REPO, {
    title: 'Upgrade the test runner',
    author: 'octo-dev',
    head: 'chore/upgrade-runner',
    files: { 'package.json': '{ "devDependencies": { "runner": "2.0.0" } }\n' },
    createdAt: hoursAgo(16),
  })
  state.addCheckRun(REPO, { headSha: failing.pull!.head.sha, name: 'build', conclusion: 'success' })
  state.addCheckRun(REPO, {
    headSha: failing.pull!.head.sha,
    name: 'test',
    conclusion: 'failure',
    output: { title: '3 tests failed', summary: 'login.test.ts: expected 200, got 500' },
  })

  const changes = state.addPull(REPO, {
    title: 'Dark mode toggle',
    body: 'Closes #2',
    author: 'octo-new',
    head: 'feat/dark-mode',
    labels: ['enhancement'],
    files: { 'src/theme.ts': "export const theme = 'dark'\n" },
    createdAt: hoursAgo(12),
  })
  green(changes.pull!.head.sha)
  state.addReview(REPO, changes.number, {
    author: 'octo-admin',
    state: 'CHANGES_REQUESTED',
    body: 'Please keep the light theme as the default.',
    comments: [{ path: 'src/theme.ts', line: 1, body: "Default should be 'light'." }],
  })

  state.addPull(REPO, {
    title: 'WIP: release notes generator',
    author: 'octo-admin',
    head: 'wip/release-notes',
    draft: true,
    files: { 'scripts/release-notes.ts': '// TODO\n' },
    createdAt: hoursAgo(8),
  })

  const requested = state.addPull(REPO, {
    title: 'Cache avatars',
    author: 'octo-admin',
    head: 'perf/avatar-cache',
    requestedReviewers: ['octo-dev'],
    files: { 'src/avatars.ts': 'export const cache = new Map<string, string>()\n' },
    createdAt: hoursAgo(6),
  })
  green(requested.pull!.head.sha)

  const unresolved = state.addPull(REPO, {
    title: 'Document the release process',
    body: 'Closes #3',
    author: 'octo-dev',
    head: 'docs/release-process',
    files: { 'docs/release.md': '# Releasing\n\n1. Tag.\n' },
    createdAt: hoursAgo(4),
  })
  state.pushToPull(
    REPO,
    unresolved.number,
    { 'docs/release.md': '# Releasing\n\n1. Tag.\n2. Publish.\n' },
    { at: hoursAgo(3) },
  )
  green(unresolved.pull!.head.sha)
  state.addReview(REPO, unresolved.number, { author: 'octo-admin', state: 'APPROVED' })
  state.addThread(REPO, unresolved.number, {
    author: 'octo-admin',
    body: 'Step 2 needs the registry URL.',
    path: 'docs/release.md',
    line: 4,
  })
}
