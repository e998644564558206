import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'

/** The emulator's GraphQL: GitHub's schema, its errors, its point cost, answered from the emulator's state. */
let gh: GitHubEmulator
let token: string

beforeAll(async () => {
  gh = await startGitHubEmulator({ seed: 'demo' })
  token = gh.state.tokenFor('octo-dev')
})
afterAll(() => gh.stop())

type Answer = { data?: Record<string, unknown>; errors?: Array<{ type?: string; message: string }> }
const ask = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await fetch(`${gh.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  })
  expect(res.status).toBe(200)
  return { res, body: (await res.json()) as Answer }
}

const PULLS = `query($first: Int!) {
  rateLimit { cost remaining limit resetAt }
  repository(owner: "demo-org", name: "demo-repo") {
    pullRequests(states: OPEN, first: $first) {
      totalCount
      nodes {
        number title isDraft author { __typename login }
        reviews(first: 10) { nodes { state author { login } } }
        reviewThreads(first: 10) { nodes { isResolved comments(last: 1) { nodes { createdAt } } } }
        statusCheckRollup { state contexts(first: 10) { nodes { __typename ... on CheckRun { name conclusion } ... on StatusContext { context state } } } }
      }
    }
  }
}`

type Pull = {
  number: number
  title: string
  isDraft: boolean
  reviews: { nodes: Array<{ state: string }> }
  reviewThreads: { nodes: Array<{ isResolved: boolean }> }
  statusCheckRollup: { state: string; contexts: { nodes: Array<Record<string, string>> } } | null
}

describe('GraphQL', () => {
  test('open pull requests with reviews, threads and the check rollup, from the state', async () => {
    const { body } = await ask(PULLS, { first: 10 })
    expect(body.errors).toBeUndefined()
    const conn = (body.data!.repository as { pullRequests: { totalCount: number; nodes: Pull[] } })
      .pullRequests
    const open = [...gh.state.requireRepo('demo-org/demo-repo').issues.values()].filter(
      (i) => i.pull && i.state === 'open',
    )
    expect(conn.totalCount).toBe(open.length)
    const byTitle = (t: string) => conn.nodes.find((p) => p.title === t)!
    expect(byTitle('Dark mode toggle').reviews.nodes.map((r) => r.state)).toEqual(['CHANGES_REQUESTED'])
    expect(byTitle('Document the release process').reviewThreads.nodes).toEqual([
      { isResolved: false, comments: { nodes: [{ createdAt: expect.any(String) }] } },
    ] as never)
    const failing = byTitle('Upgrade the test runner').statusCheckRollup!
    expect(failing.state).toBe('FAILURE')
    expect(failing.contexts.nodes).toContainEqual({
      __typename: 'CheckRun',
      name: 'test',
      conclusion: 'FAILURE',
    })
    expect(byTitle('WIP: release notes generator')).toMatchObject({ isDraft: true, statusCheckRollup: null })
  })

  test("GitHub's point cost: each connection once per parent, summed, divided by 100; charged to the graphql bucket", async () => {
    // 1 (pullRequests) + 10 x 3 (reviews, threads, contexts per PR) + 10 x 10 (comments per thread) = 131: 1 point.
    const { res, body } = await ask(PULLS, { first: 10 })
    expect((body.data!.rateLimit as { cost: number }).cost).toBe(1)
    const { body: big, res: after } = await ask(PULLS, { first: 100 })
    // 1 + 100 x 3 + 100 x 10 = 1301 requests: 13 points.
    expect((big.data!.rateLimit as { cost: number }).cost).toBe(13)
    expect(after.headers.get('x-ratelimit-resource')).toBe('graphql')
    expect(
      Number(res.headers.get('x-ratelimit-remaining')) - Number(after.headers.get('x-ratelimit-remaining')),
    ).toBe(13)
    expect((big.data!.rateLimit as { remaining: number }).remaining).toBe(
      Number(after.headers.get('x-ratelimit-remaining')),
    )
  })

  test('a query outside the schema, a page over 100 or a repository not there: errors as GitHub words them', async () => {
    const invalid = await ask('{ viewer { login favouriteColour } }')
    expect(invalid.body.data).toBeUndefined()
    expect(invalid.body.errors![0]!.message).toContain('favouriteColour')
    const wide = await ask(PULLS, { first: 101 })
    expect(wide.body.errors![0]).toMatchObject({ type: 'EXCESSIVE_PAGINATION' })
    const missing = await ask('{ repository(owner: "demo-org", name: "nope") { name } }')
    expect(missing.body).toMatchObject({ data: { repository: null }, errors: [{ type: 'NOT_FOUND' }] })
  })

  test('over the points left: RATE_LIMITED, and nothing runs', async () => {
    const bucket = gh.rateLimits.bucket(`user:${gh.state.user('octo-dev')!.id}`, 'graphql')
    const before = bucket.used
    bucket.used = bucket.limit - 5
    try {
      const { body } = await ask(PULLS, { first: 100 })
      expect(body.data).toBeUndefined()
      expect(body.errors![0]).toMatchObject({ type: 'RATE_LIMITED' })
      expect(bucket.used).toBe(bucket.limit - 5)
    } finally {
      bucket.used = before
    }
  })

  test('a faulty repository fails its REST calls with the status and its GraphQL with an error', async () => {
    gh.faults.set('demo-org/demo-repo', 502)
    try {
      const rest = await fetch(`${gh.url}/repos/demo-org/demo-repo/pulls`, {
        headers: { authorization: `token ${token}` },
      })
      expect(rest.status).toBe(502)
      const { body } = await ask('{ repository(owner: "demo-org", name: "demo-repo") { name } }')
      expect(body.errors![0]).toMatchObject({ type: 'INTERNAL' })
    } finally {
      gh.faults.clear()
    }
  })
})

describe('large seed', () => {
  test('5 repositories x 150 open pull requests with checks, reviews and threads; 300 issues', async () => {
    await using large = await startGitHubEmulator({ seed: 'large' })
    const repos = [...large.state.repos.values()].filter((r) => r.owner.login === 'large-org')
    expect(repos.length).toBe(5)
    const all = repos.flatMap((r) => [...r.issues.values()])
    const pulls = all.filter((i) => i.pull && i.state === 'open')
    expect(pulls.length).toBe(750)
    expect(all.filter((i) => !i.pull).length).toBe(300)
    expect(
      pulls.every((p) => repos.some((r) => r.checkRuns.some((c) => c.headSha === p.pull!.head.sha))),
    ).toBe(true)
    expect(pulls.filter((p) => p.pull!.reviews.length > 0).length).toBeGreaterThan(300)
    expect(pulls.filter((p) => p.pull!.threads.some((t) => !t.resolved)).length).toBeGreaterThan(150)
    // Heads are real commits in the repository's git.
    const repo = repos[0]!
    expect(large.state.resolveRef(repo, pulls.find((p) => p.pull)!.pull!.head.sha)).toBeDefined()
  }, 60_000)
})
