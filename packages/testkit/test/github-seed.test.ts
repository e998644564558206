import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'

const REVIEW_THREADS_QUERY =
  'query($owner:String!,$name:String!,$number:Int!){ repository(owner:$owner,name:$name){ pullRequest(number:$number){ reviewThreads(first:100){ nodes { isResolved comments(first:100){ nodes { createdAt } } } } } } }'

const REPO = 'demo-org/demo-repo'
let gh: GitHubEmulator
let token: string

beforeAll(async () => {
  gh = await startGitHubEmulator({ seed: 'demo' })
  token = gh.state.tokenFor('octo-admin')
})
afterAll(() => gh.stop())

const get = async <T>(path: string) =>
  (await (await fetch(`${gh.url}${path}`, { headers: { authorization: `token ${token}` } })).json()) as T

type Pull = { number: number; title: string; draft: boolean; user: { login: string }; head: { sha: string } }
type Review = { state: string }

async function facts(pr: Pull) {
  const [checks, status, reviews, full, commit, threads] = await Promise.all([
    get<{ check_runs: { conclusion: string | null }[] }>(`/repos/${REPO}/commits/${pr.head.sha}/check-runs`),
    get<{ state: string; total_count: number }>(`/repos/${REPO}/commits/${pr.head.sha}/status`),
    get<Review[]>(`/repos/${REPO}/pulls/${pr.number}/reviews`),
    get<{ requested_reviewers: { login: string }[] }>(`/repos/${REPO}/pulls/${pr.number}`),
    get<{ commit: { committer: { date: string } } }>(`/repos/${REPO}/commits/${pr.head.sha}`),
    fetch(`${gh.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `bearer ${token}` },
      body: JSON.stringify({
        query: REVIEW_THREADS_QUERY,
        variables: { owner: 'demo-org', name: 'demo-repo', number: pr.number },
      }),
    }).then(
      async (r) =>
        (
          (await r.json()) as {
            data: {
              repository: {
                pullRequest: {
                  reviewThreads: {
                    nodes: { isResolved: boolean; comments: { nodes: { createdAt: string }[] } }[]
                  }
                }
              }
            }
          }
        ).data.repository.pullRequest.reviewThreads.nodes,
    ),
  ])
  const lastCommit = commit.commit.committer.date
  return {
    green: checks.check_runs.every((c) => c.conclusion === 'success') && status.state !== 'failure',
    failing: checks.check_runs.some((c) => c.conclusion === 'failure'),
    approved: reviews.some((r) => r.state === 'APPROVED'),
    changesRequested: reviews.some((r) => r.state === 'CHANGES_REQUESTED'),
    requested: full.requested_reviewers.map((u) => u.login),
    openThreadAfterLastCommit: threads.some(
      (t) => !t.isResolved && t.comments.nodes.some((c) => c.createdAt > lastCommit),
    ),
  }
}

describe('demo seed', () => {
  test('users, the org and its repository', async () => {
    for (const login of ['octo-admin', 'octo-dev', 'octo-new'])
      expect((await get<{ login: string }>(`/users/${login}`)).login).toBe(login)
    expect((await get<{ full_name: string; default_branch: string }>(`/repos/${REPO}`)).default_branch).toBe(
      'main',
    )
    const issues = await get<{ pull_request?: unknown }[]>(`/repos/${REPO}/issues?state=all&per_page=100`)
    expect(issues.filter((i) => !i.pull_request).length).toBeGreaterThanOrEqual(3)
  })

  test('pull requests land in every dashboard case', async () => {
    const pulls = await get<Pull[]>(`/repos/${REPO}/pulls`)
    const by = async (title: string) => facts(pulls.find((p) => p.title === title)!)
    expect(await by('Validate the password field')).toMatchObject({
      green: true,
      approved: true,
      changesRequested: false,
      openThreadAfterLastCommit: false,
    })
    expect(await by('Upgrade the test runner')).toMatchObject({ failing: true })
    expect(await by('Dark mode toggle')).toMatchObject({ changesRequested: true })
    expect(pulls.find((p) => p.title === 'Dark mode toggle')!.user.login).toBe('octo-new')
    expect(pulls.find((p) => p.draft)!.title).toBe('WIP: release notes generator')
    expect((await by('Cache avatars')).requested).toEqual(['octo-dev'])
    expect(await by('Document the release process')).toMatchObject({
      green: true,
      approved: true,
      openThreadAfterLastCommit: true,
    })
  })
})
