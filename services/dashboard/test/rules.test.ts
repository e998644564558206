import { describe, expect, test } from 'bun:test'
import type { GithubWebhook } from '@bosun/contracts/github'
import type { CheckPolicy } from '@bosun/contracts/workspace'
import { searchQueries } from '../src/authors/service'
import { globToRegExp, policiesFor, summarizeChecks } from '../src/buckets/checks'
import { summarizeReviews } from '../src/buckets/pulls'
import { invalidationsFor } from '../src/github/events'
import { createFreshness } from '../src/github/freshness'
import type { CheckRunRow, ReviewRow, StatusRow } from '../src/github/rows'

const run = (id: number, name: string, status: string, conclusion: string | null): CheckRunRow => ({
  id,
  name,
  status,
  conclusion,
})
const status = (context: string, state: string): StatusRow => ({ context, state })
const policy = (name: string, requiredChecks: string[], repos: string[] = []): CheckPolicy => ({
  name,
  requiredChecks,
  repos,
  by: 'boss',
  at: new Date().toISOString(),
})

describe('check patterns', () => {
  test('globs: * spans any characters, ? one, the rest is literal', () => {
    expect(globToRegExp('lint/*').test('lint/eslint')).toBe(true)
    expect(globToRegExp('lint/*').test('lint')).toBe(false)
    expect(globToRegExp('test (?)').test('test (3)')).toBe(true)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
    expect(globToRegExp('ci/*/unit').test('ci/linux/unit')).toBe(true)
  })

  test('policies apply to their repositories, or to all when they name none', () => {
    const all = [policy('a', ['x']), policy('b', ['y'], ['Acme/API']), policy('c', ['z'], ['acme/web'])]
    expect(policiesFor(all, 'acme/api').map((p) => p.name)).toEqual(['a', 'b'])
  })

  test('each required pattern is passed, failed, pending or missing; re-runs replace earlier runs', () => {
    const summary = summarizeChecks(
      [
        run(1, 'test', 'completed', 'failure'),
        run(2, 'test', 'completed', 'success'),
        run(3, 'lint/eslint', 'in_progress', null),
        run(4, 'build', 'completed', 'timed_out'),
      ],
      [status('lint/types', 'success'), status('deploy', 'error')],
      [policy('ci', ['test', 'lint/*', 'docs', 'build'])],
    )
    expect(summary.required.map((r) => [r.pattern, r.state])).toEqual([
      ['test', 'passed'],
      ['lint/*', 'pending'],
      ['docs', 'missing'],
      ['build', 'failed'],
    ])
    expect(summary.required[1]?.matched).toEqual(['lint/eslint', 'lint/types'])
    expect(summary).toMatchObject({ state: 'failure', total: 5, passed: 2, failed: 2, pending: 1 })
  })
})

describe('reviews and threads', () => {
  const review = (login: string, state: string, at: string): ReviewRow => ({ login, state, submitted_at: at })
  test("each reviewer's latest decision counts; a later approval lifts changes requested", () => {
    const s = summarizeReviews(
      [
        review('ann', 'CHANGES_REQUESTED', '2024-01-01T00:00:00Z'),
        review('ann', 'APPROVED', '2024-01-02T00:00:00Z'),
        review('bo', 'COMMENTED', '2024-01-03T00:00:00Z'),
        review('cy', 'CHANGES_REQUESTED', '2024-01-03T00:00:00Z'),
      ],
      ['dee'],
      [],
      null,
    )
    expect(s).toMatchObject({ state: 'changes_requested', approvals: 1, changesRequested: 1 })
  })

  test('only unresolved threads commented after the last commit count against ready', () => {
    const thread = (isResolved: boolean, ...times: string[]) => ({
      isResolved,
      comments: { nodes: times.map((createdAt) => ({ createdAt })) },
    })
    const s = summarizeReviews(
      [],
      [],
      [
        thread(false, '2024-01-01T00:00:00Z'),
        thread(false, '2024-01-01T00:00:00Z', '2024-01-05T00:00:00Z'),
        thread(true, '2024-01-06T00:00:00Z'),
      ],
      '2024-01-02T00:00:00Z',
    )
    expect(s.unresolvedThreads).toBe(2)
    expect(s.unresolvedAfterLastCommit).toBe(1)
  })
})

describe('cache invalidation', () => {
  const event = (e: string, payload: unknown = {}): GithubWebhook => ({
    deliveryId: 'd',
    event: e,
    repository: 'Acme/Api',
    redelivery: false,
    payload,
  })

  test('a check run stales its head commit; a review that pull request; unknown events the repository', () => {
    const sha = 'a'.repeat(40)
    expect(invalidationsFor(event('check_run', { check_run: { head_sha: sha } }))).toEqual([
      { repo: 'Acme/Api', scope: 'checks', sha },
    ])
    expect(invalidationsFor(event('status', { sha }))).toEqual([{ repo: 'Acme/Api', scope: 'checks', sha }])
    expect(invalidationsFor(event('check_run'))).toEqual([{ repo: 'Acme/Api', scope: 'checks' }])
    expect(invalidationsFor(event('pull_request_review', { pull_request: { number: 7 } }))).toEqual([
      { repo: 'Acme/Api', scope: 'reviews', number: 7 },
      { repo: 'Acme/Api', scope: 'threads', number: 7 },
    ])
    const pr = (action: string) => ({ ...event('pull_request', { pull_request: { number: 7 } }), action })
    expect(invalidationsFor(pr('labeled'))).toEqual([
      { repo: 'Acme/Api', scope: 'issues' },
      { repo: 'Acme/Api', scope: 'pulls', number: 7 },
    ])
    expect(invalidationsFor(pr('opened'))).toEqual([
      { repo: 'Acme/Api', scope: 'issues' },
      { repo: 'Acme/Api', scope: 'pulls', number: 7 },
    ])
    expect(invalidationsFor(event('push'))).toEqual([])
    expect(invalidationsFor(event('repository'))).toEqual([{ repo: 'Acme/Api', scope: 'repo' }])
    expect(invalidationsFor(event('star'))).toEqual([])
    expect(invalidationsFor({ ...event('issues'), repository: undefined })).toEqual([])
  })

  test('stamps move only for what an invalidation covers', () => {
    const f = createFreshness()
    const checks = f.stamp({ repo: 'acme/api', scope: 'checks' })
    const threads7 = f.stamp({ repo: 'acme/api', scope: 'threads', number: 7 })
    const threads8 = f.stamp({ repo: 'acme/api', scope: 'threads', number: 8 })
    f.invalidate({ repo: 'ACME/api', scope: 'threads', number: 7 })
    expect(f.stamp({ repo: 'acme/api', scope: 'threads', number: 7 })).not.toBe(threads7)
    expect(f.stamp({ repo: 'acme/api', scope: 'threads', number: 8 })).toBe(threads8)
    expect(f.stamp({ repo: 'acme/api', scope: 'checks' })).toBe(checks)
    f.invalidate({ repo: 'acme/api', scope: 'repo' })
    expect(f.stamp({ repo: 'acme/api', scope: 'checks' })).not.toBe(checks)
    expect(f.stamp({ repo: 'acme/web', scope: 'checks' })).toBe(0)
  })

  test("a pull request is stale after an event naming it or its head commit, not another's", () => {
    const f = createFreshness()
    const [a, b] = ['a'.repeat(40), 'b'.repeat(40)]
    const seven = f.pull('acme/api', 7, a)
    const eight = f.pull('acme/api', 8, b)
    const all = f.pullsOf('acme/api')
    f.invalidate({ repo: 'Acme/Api', scope: 'checks', sha: a })
    expect(f.pull('acme/api', 7, a)).not.toBe(seven)
    expect(f.pull('acme/api', 8, b)).toBe(eight)
    expect(f.pullsOf('acme/api')).toBe(all)
    f.invalidate({ repo: 'acme/api', scope: 'pulls', number: 8 })
    expect(f.pull('acme/api', 8, b)).not.toBe(eight)
    expect([...f.named('ACME/api').keys()]).toEqual([8])
    f.invalidate({ repo: 'acme/api', scope: 'pulls' })
    expect(f.pullsOf('acme/api')).not.toBe(all)
  })
})

describe('vetted-author search', () => {
  test('repo qualifiers are packed under 256 characters, or one per query for installation tokens', () => {
    const repos = Array.from({ length: 30 }, (_, i) => `some-org/repository-number-${i}`)
    const packed = searchQueries('ann', repos, false)
    expect(packed.length).toBeGreaterThan(1)
    for (const q of packed) expect(q.length).toBeLessThanOrEqual(256)
    expect(packed.join(' ').match(/repo:/g)?.length).toBe(30)
    expect(searchQueries('ann', repos.slice(0, 3), true)).toEqual(
      repos.slice(0, 3).map((r) => `author:ann repo:${r}`),
    )
  })
})
