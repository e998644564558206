import { branches, git, revParse } from './git'
import type { GhIssue, GhPull, GitHubState } from './state'

export const LARGE_REPOS = [1, 2, 3, 4, 5].map((n) => `large-org/service-${n}`)
const PULLS_PER_REPO = 150
const ISSUES_PER_REPO = 60
const AUTHORS = ['octo-dev', 'octo-admin', 'octo-new', 'contrib-a', 'contrib-b', 'renovate[bot]']
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000)

/** One commit per branch, all in one `git fast-import` (a process per commit would take a minute at this size). */
function importBranches(gitDir: string, base: string, heads: Array<{ ref: string; at: Date }>) {
  const stream = heads
    .map(({ ref, at }) => {
      const msg = `Work on ${ref}\n`
      const file = `${ref}\n`
      const when = `${Math.floor(at.getTime() / 1000)} +0000`
      return `commit refs/heads/${ref}\ncommitter GitHub Emulator <emulator@bosun.invalid> ${when}\ndata ${Buffer.byteLength(msg)}\n${msg}from ${base}\nM 644 inline ${ref.replace(/\//g, '-')}.md\ndata ${Buffer.byteLength(file)}\n${file}\n`
    })
    .join('')
  git(gitDir, ['fast-import', '--quiet'], { input: stream })
  return branches(gitDir)
}

/**
 * A team at size: 5 repositories with 150 open pull requests each (checks passing, failing or running, commit
 * statuses, reviews, resolved and unresolved threads, drafts, requested reviewers, labels) and 300 issues.
 */
export function seedLarge(state: GitHubState): void {
  for (const login of ['octo-admin', 'octo-dev', 'octo-new', 'contrib-a', 'contrib-b']) state.addUser(login)
  state.addUser('renovate[bot]', { type: 'Bot' })
  state.addOrg('large-org', { name: 'Large Org' })
  for (const fullName of LARGE_REPOS) {
    const repo = state.addRepo(fullName)
    const baseSha = revParse(repo.gitDir, `refs/heads/${repo.defaultBranch}`)!
    const heads = Array.from({ length: PULLS_PER_REPO }, (_, i) => ({
      ref: `change/${i + 1}`,
      at: hoursAgo(i + 2),
    }))
    const shas = importBranches(repo.gitDir, baseSha, heads)
    heads.forEach(({ ref, at }, i) => {
      const issue = state.addIssue(fullName, {
        title: `Change ${i + 1} in ${repo.name}`,
        author: AUTHORS[i % AUTHORS.length],
        labels: i % 3 === 0 ? ['enhancement'] : i % 3 === 1 ? ['bug'] : [],
        createdAt: at,
      }) as GhIssue & { pull: GhPull }
      const sha = shas.get(ref)!
      issue.pull = {
        id: state.id(),
        draft: i % 10 === 9,
        head: { ref, sha },
        base: { ref: repo.defaultBranch, sha: baseSha },
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
        requestedReviewers: i % 8 === 0 ? [state.requireUser('octo-dev')] : [],
        reviews: [],
        threads: [],
      }
      state.addCheckRun(fullName, { headSha: sha, name: 'build', conclusion: 'success' })
      if (i % 11 === 5) state.addCheckRun(fullName, { headSha: sha, name: 'test', status: 'in_progress' })
      else
        state.addCheckRun(fullName, {
          headSha: sha,
          name: 'test',
          conclusion: i % 7 === 3 ? 'failure' : 'success',
        })
      state.addStatus(fullName, { sha, state: 'success', context: 'ci/lint' })
      if (i % 3 === 0) state.addReview(fullName, issue.number, { author: 'octo-admin', state: 'APPROVED' })
      if (i % 5 === 1)
        state.addReview(fullName, issue.number, { author: 'octo-dev', state: 'CHANGES_REQUESTED' })
      if (i % 4 === 0)
        state.addThread(fullName, issue.number, {
          author: 'octo-admin',
          body: 'Is this covered by a test?',
          createdAt: hoursAgo(1),
        })
      if (i % 6 === 0)
        state.addThread(fullName, issue.number, {
          author: 'octo-dev',
          body: 'Nit.',
          resolved: true,
          createdAt: hoursAgo(1),
        })
    })
    for (let i = 0; i < ISSUES_PER_REPO; i++)
      state.addIssue(fullName, {
        title: `Issue ${i + 1} in ${repo.name}`,
        author: AUTHORS[i % AUTHORS.length],
        labels: i % 4 === 0 ? [] : ['bug'],
        assignees: i % 3 === 0 ? ['octo-dev'] : [],
        createdAt: hoursAgo(24 * (i % 45)),
      })
  }
}
