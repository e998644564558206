import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type {
  DashboardChanged,
  IssuePage,
  PrItem,
  PrPage,
  RateLimit,
  VettedAuthor,
} from '@bosun/contracts/dashboard'
import { githubWebhook } from '@bosun/contracts/github'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { createApiKey, invite, signIn } from '@bosun/testkit/session'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { connect, type NatsConnection } from 'nats'
import { createApp } from '../src/app'
import { DashboardEnv } from '../src/env'
import { startDashboard } from '../src/start'
import { type DemoAnswers, demoAnswers, strip } from './demo-answers'

/**
 * Auth and workspace as real processes, dashboard in-process, GitHub the testkit emulator. One repository is
 * seeded so every bucket rule has a pull request or issue that lands in it and one that does not.
 */
const logger = createLogger('dashboard-test', 'silent')
const uid = Date.now().toString(36)
const WS = `dash-${uid}`
const OTHER_WS = `dash-other-${uid}`
const REPO = `acme-${uid}/api`
const USERS = ['boss', 'alice', 'bob', 'trusty', 'slopper', 'stranger']

let stack: Stack
let dash: Awaited<ReturnType<typeof startDashboard>>
let server: ReturnType<ReturnType<typeof createApp>['listen']>
let base: string
let nc: NatsConnection
const tokens: Record<string, string> = {}
const nums: Record<string, number> = {}

const gh = () => stack.github!
const state = () => gh().state

async function startOwnDashboard(env: Record<string, string>) {
  const parsed = parseEnv(DashboardEnv, {
    NATS_URL: stack.natsUrlFor('dashboard'),
    DATABASE_URL: `file:${join(stack.dataDir, `dashboard-${Math.random().toString(36).slice(2)}.db`)}`,
    LOG_LEVEL: 'silent',
    PORT: '0',
    GITHUB_API_URL: gh().url,
    GITHUB_APP_ID: gh().app.appId,
    GITHUB_APP_PRIVATE_KEY: gh().app.privateKey,
    ...env,
  })
  const started = await startDashboard(parsed, logger)
  const srv = createApp(started.deps).listen({ port: 0, hostname: '127.0.0.1' })
  return { started, srv, url: `http://127.0.0.1:${srv.server!.port}` }
}

const call = (method: string, url: string, who: string, body?: unknown) =>
  fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who] ?? who}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
const ws = (method: string, path: string, body?: unknown) =>
  call(method, `${stack.services.workspace!.url}/api/workspaces${path}`, 'boss', body).then((r) => {
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status}`)
    return r
  })
const get = (path: string, who = 'alice', at = base) => call('GET', `${at}${path}`, who)
const prs = async (bucket: string, extra = '', who = 'alice') => {
  const res = await get(`/api/dashboard/prs?bucket=${bucket}${extra}`, who)
  expect(res.status).toBe(200)
  return (await res.json()) as PrPage
}
const issues = async (bucket: string, extra = '', who = 'alice') => {
  const res = await get(`/api/dashboard/issues?bucket=${bucket}${extra}`, who)
  expect(res.status).toBe(200)
  return (await res.json()) as IssuePage
}
const titles = (page: { results: Array<{ title: string }> }) => page.results.map((r) => r.title).sort()
const byTitle = (page: PrPage, title: string) => page.results.find((r) => r.title === title) as PrItem
const calls = async <T>(fn: () => Promise<T>) => {
  const mark = gh().requests.length
  const value = await fn()
  return { value, requests: gh().requests.slice(mark) }
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000)

/** What the webhooks service publishes for a delivery of `event`.`action`. */
async function publishWebhook(event: string, action: string, payload: Record<string, unknown>) {
  const data = {
    deliveryId: crypto.randomUUID(),
    event,
    action,
    repository: REPO,
    redelivery: false,
    payload: { action, ...payload },
  }
  const id = crypto.randomUUID()
  const envelope = { id, type: githubWebhook.type, source: 'webhooks', time: new Date().toISOString(), data }
  await nc
    .jetstream()
    .publish(`bosun.evt.${githubWebhook.subject(data)}`, JSON.stringify(envelope), { msgID: id })
}
const publishCheckRunCompleted = (runId: number, headSha: string) =>
  publishWebhook('check_run', 'completed', { check_run: { id: runId, head_sha: headSha } })

function seedRepository() {
  const s = state()
  s.addRepo(REPO)
  const sha = (n: number) => s.requirePull(REPO, n).pull.head.sha
  const pull = (key: string, init: { author: string; draft?: boolean; requestedReviewers?: string[] }) => {
    const issue = s.addPull(REPO, { title: key, head: `b/${key}`, createdAt: hoursAgo(5), ...init })
    nums[key] = issue.number
    return issue.number
  }
  /** Everything the `ci` policy requires: `test`, and `lint/*` as a check run and as a status. */
  const green = (n: number) => {
    s.addCheckRun(REPO, { headSha: sha(n), name: 'test', conclusion: 'success' })
    s.addCheckRun(REPO, { headSha: sha(n), name: 'lint/eslint', conclusion: 'success' })
    s.addStatus(REPO, { sha: sha(n), state: 'success', context: 'lint/types' })
  }

  const ready = pull('ready', { author: 'trusty' })
  green(ready)
  // Unresolved, but its last comment predates the head commit (dated at the PR's creation): it does not count.
  s.addThread(REPO, ready, { author: 'alice', body: 'old nit', createdAt: hoursAgo(6) })
  s.addThread(REPO, ready, { author: 'alice', body: 'done', resolved: true })
  s.addReview(REPO, ready, { author: 'alice', state: 'APPROVED' })

  const fresh = pull('fresh-thread', { author: 'trusty' })
  green(fresh)
  s.addThread(REPO, fresh, { author: 'alice', body: 'new concern' })

  const failing = pull('failing', { author: 'trusty' })
  green(failing)
  s.addCheckRun(REPO, { headSha: sha(failing), name: 'test', conclusion: 'failure' })

  const pending = pull('pending', { author: 'trusty', requestedReviewers: ['alice'] })
  s.addCheckRun(REPO, { headSha: sha(pending), name: 'test', status: 'in_progress' })
  s.addCheckRun(REPO, { headSha: sha(pending), name: 'lint/eslint', conclusion: 'success' })

  const missing = pull('missing-lint', { author: 'alice' })
  s.addCheckRun(REPO, { headSha: sha(missing), name: 'test', conclusion: 'success' })

  const changes = pull('changes', { author: 'slopper' })
  green(changes)
  s.addReview(REPO, changes, { author: 'alice', state: 'CHANGES_REQUESTED' })

  pull('draft', { author: 'stranger', draft: true })

  s.addIssue(REPO, { title: 'untriaged', author: 'stranger' })
  s.addIssue(REPO, { title: 'assigned-alice', author: 'bob', labels: ['bug'], assignees: ['alice'] })
  s.addIssue(REPO, { title: 'labelled', author: 'alice', labels: ['bug'] })
  s.addIssue(REPO, {
    title: 'old',
    author: 'bob',
    labels: ['bug'],
    assignees: ['bob'],
    createdAt: hoursAgo(24 * 60),
  })
  s.addIssue(REPO, { title: 'closed', author: 'alice', state: 'closed' })
}

beforeAll(async () => {
  stack = await startStack({ services: ['auth', 'workspace'], env: { BOSUN_ADMIN_LOGINS: 'boss' } })
  for (const login of USERS) state().addUser(login)
  for (const login of ['alice', 'bob']) await invite(stack.publicUrl, stack.bootstrapKey, login)
  for (const login of ['boss', 'alice', 'bob']) tokens[login] = await signIn(stack.publicUrl, login)
  seedRepository()
  const own = await startOwnDashboard({})
  dash = own.started
  server = own.srv
  base = own.url
  nc = await connect(natsConnectOptions(stack.natsUrl))

  await ws('POST', '', { id: WS, name: 'Dash' })
  await ws('POST', `/${WS}/team-members`, { login: 'alice' })
  await ws('POST', `/${WS}/repositories`, { fullName: REPO })
  await ws('POST', `/${WS}/check-policies`, { name: 'ci', requiredChecks: ['test', 'lint/*'], repos: [REPO] })
  await ws('POST', `/${WS}/check-policies`, { name: 'elsewhere', requiredChecks: ['deploy'], repos: ['x/y'] })
  await ws('POST', `/${WS}/author-records`, { login: 'trusty', status: 'trusted' })
  await ws('POST', `/${WS}/author-records`, { login: 'slopper', status: 'suspected-slop' })
  // The default workspace comes from the membership projection, which follows events.
  await waitFor(
    async () => (await get('/api/dashboard/prs?bucket=drafts')).status === 200,
    10_000,
    'projection',
  )
}, 60_000)

afterAll(async () => {
  await nc?.close()
  await server?.stop()
  await dash?.stop()
  await stack?.stop()
})

describe('pull-request buckets', () => {
  test('ready: not draft, required checks passed (runs and statuses, glob), no thread newer than the head', async () => {
    const page = await prs('ready')
    // `changes` is ready too: a request for changes is the review state, not a readiness rule.
    expect(titles(page)).toEqual(['changes', 'ready'])
    expect(page.workspace).toBe(WS)
    const item = byTitle(page, 'ready')
    expect(item).toMatchObject({ ready: true, notReady: [], draft: false, repo: REPO, number: nums.ready })
    expect(item.author).toMatchObject({ login: 'trusty', member: false, record: { status: 'trusted' } })
    expect(item.checks.required.map((r) => [r.policy, r.pattern, r.state])).toEqual([
      ['ci', 'test', 'passed'],
      ['ci', 'lint/*', 'passed'],
    ])
    expect(item.review).toMatchObject({
      state: 'approved',
      unresolvedThreads: 1,
      unresolvedAfterLastCommit: 0,
    })
    expect(item.lastCommitAt).not.toBeNull()
  })

  test('each other PR carries the reasons it is not ready', async () => {
    const all = await prs('needs-review', '&page_size=200')
    const reasons = (title: string) => byTitle(all, title)?.notReady.map((r) => r.code)
    expect(reasons('fresh-thread')).toEqual(['unresolved_thread'])
    expect(reasons('failing')).toEqual(['check_failed'])
    expect(reasons('pending')).toEqual(['check_pending'])
    expect(reasons('missing-lint')).toEqual(['check_missing'])
    expect(byTitle(await prs('drafts'), 'draft').notReady.map((r) => r.code)).toEqual([
      'draft',
      'check_missing',
      'check_missing',
    ])
  })

  test('needs-review, changes-requested, failing-checks, drafts', async () => {
    expect(titles(await prs('needs-review'))).toEqual(['failing', 'fresh-thread', 'missing-lint', 'pending'])
    expect(titles(await prs('changes-requested'))).toEqual(['changes'])
    expect(titles(await prs('failing-checks'))).toEqual(['failing'])
    expect(titles(await prs('drafts'))).toEqual(['draft'])
  })

  test('review-requested and mine default to the caller; login= picks someone else', async () => {
    expect(titles(await prs('review-requested'))).toEqual(['pending'])
    expect(titles(await prs('mine'))).toEqual(['missing-lint'])
    expect(titles(await prs('mine', '&login=slopper'))).toEqual(['changes'])
    expect(titles(await prs('review-requested', '&login=bob'))).toEqual([])
    expect(titles(await prs('needs-review', '&login=alice'))).toEqual(['missing-lint'])
  })

  test('unvetted: suspected-slop, unknown or no record, members excepted', async () => {
    expect(titles(await prs('unvetted'))).toEqual(['changes', 'draft'])
  })

  test('cursor pagination in the spec-004 shape, newest first by default', async () => {
    const first = await prs('needs-review', '&page_size=3&sort=number')
    expect(first.pagination).toMatchObject({ pageSize: 3, hasMore: true, returnedCount: 3, totalCount: 4 })
    const second = await prs('needs-review', `&page_size=3&sort=number&cursor=${first.pagination.nextCursor}`)
    expect(second.pagination).toMatchObject({ hasMore: false, returnedCount: 1, nextCursor: '' })
    const numbers = [...first.results, ...second.results].map((r) => r.number)
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a))
    const asc = await prs('needs-review', '&sort=number&direction=asc')
    expect(asc.results.map((r) => r.number)).toEqual([...numbers].reverse())
    expect((await get('/api/dashboard/prs?bucket=nope')).status).toBe(400)
    expect((await get('/api/dashboard/prs?bucket=ready&cursor=garbage')).status).toBe(400)
  })
})

describe('the demo seed', () => {
  /** Written once from the per-PR REST read path (BOSUN_WRITE_FIXTURE=1), before reads moved to GraphQL. */
  const FIXTURE = join(import.meta.dir, 'fixtures/demo-buckets.json')

  test('every bucket answers what the per-PR REST read path answered', async () => {
    const demo = `demo-${uid}`
    await ws('POST', '', { id: demo, name: 'Demo' })
    await ws('POST', `/${demo}/team-members`, { login: 'octo-dev' })
    await ws('POST', `/${demo}/repositories`, { fullName: 'demo-org/demo-repo' })
    await ws('POST', `/${demo}/check-policies`, { name: 'ci', requiredChecks: ['build', 'test', 'ci/*'] })
    await ws('POST', `/${demo}/author-records`, { login: 'octo-new', status: 'unknown' })
    const read = async (path: string) => {
      const res = await get(path, 'boss')
      expect({ path, status: res.status }).toEqual({ path, status: 200 })
      return (await res.json()) as PrPage
    }
    const answers = await demoAnswers(read, demo, 'octo-dev')
    if (process.env.BOSUN_WRITE_FIXTURE === '1')
      await Bun.write(FIXTURE, `${JSON.stringify(answers, null, 2)}\n`)
    expect(existsSync(FIXTURE)).toBe(true)
    const recorded = strip(await Bun.file(FIXTURE).json()) as DemoAnswers
    expect(answers).toEqual(recorded)
    // The seed puts a pull request in every bucket, so an empty answer cannot pass for a right one.
    for (const [bucket, rows] of Object.entries(recorded))
      if (bucket.startsWith('prs:')) expect({ bucket, n: rows.length > 0 }).toEqual({ bucket, n: true })
  })
})

describe('issue buckets', () => {
  test('triage, assigned, unassigned, mine, stale and the unassigned=1 filter', async () => {
    expect(titles(await issues('triage'))).toEqual(['untriaged'])
    expect(titles(await issues('assigned'))).toEqual(['assigned-alice'])
    expect(titles(await issues('unassigned'))).toEqual(['labelled', 'untriaged'])
    expect(titles(await issues('mine'))).toEqual(['labelled'])
    expect(titles(await issues('stale'))).toEqual(['old'])
    expect(titles(await issues('mine', '&login=bob'))).toEqual(['assigned-alice', 'old'])
    expect(titles(await issues('mine', '&login=bob&unassigned=1'))).toEqual([])
    const row = (await issues('assigned')).results[0]!
    expect(row).toMatchObject({ assignees: ['alice'], labels: [{ name: 'bug' }], stale: false, repo: REPO })
    expect(row.author).toMatchObject({ login: 'bob', member: false, record: null })
  })
})

describe('cost', () => {
  test('a second identical read makes no GitHub call that is not a 304', async () => {
    await prs('ready')
    const { requests } = await calls(() => prs('ready'))
    expect(requests.filter((r) => r.status !== 304)).toEqual([])
  })

  test('with max age 0 every read revalidates: the REST calls are all 304s', async () => {
    const own = await startOwnDashboard({ BOSUN_DASHBOARD_MAX_AGE_SECONDS: '0' })
    try {
      // A fresh database: its membership projection starts empty, so the workspace is named.
      const path = `/api/dashboard/issues?bucket=triage&workspace=${WS}`
      expect((await get(path, 'alice', own.url)).status).toBe(200)
      const { value: res, requests } = await calls(() => get(path, 'alice', own.url))
      expect(res.status).toBe(200)
      const rest = requests.filter((r) => r.path !== '/graphql')
      expect(rest.length).toBeGreaterThan(0)
      expect(rest.filter((r) => r.status !== 304)).toEqual([])
    } finally {
      await own.srv.stop()
      await own.started.stop()
    }
  })

  test('a policy or author-record change recomputes ready and unvetted without calling GitHub', async () => {
    await prs('ready')
    const { requests } = await calls(async () => {
      await ws('POST', `/${WS}/check-policies`, { name: 'lenient', requiredChecks: ['test'], repos: [REPO] })
      await ws('DELETE', `/${WS}/check-policies/ci`)
      await ws('POST', `/${WS}/author-records`, { login: 'stranger', status: 'good-enough' })
      // The three changes reach dashboard as live workspace events, in order: wait for the last one.
      await waitFor(async () => titles(await prs('unvetted')).length === 1, 5000, 'recompute')
      expect(titles(await prs('ready'))).toEqual(['changes', 'missing-lint', 'ready'])
      expect(titles(await prs('unvetted'))).toEqual(['changes'])
    })
    expect(requests).toEqual([])
    await ws('POST', `/${WS}/check-policies`, {
      name: 'ci',
      requiredChecks: ['test', 'lint/*'],
      repos: [REPO],
    })
    await ws('DELETE', `/${WS}/check-policies/lenient`)
    await ws('DELETE', `/${WS}/author-records/stranger`)
    await waitFor(async () => titles(await prs('ready')).length === 2, 5000, 'policy restored')
  })

  test('a check run completing, delivered as an event, moves the PR into ready on the next read', async () => {
    expect(titles(await prs('ready'))).toEqual(['changes', 'ready'])
    const repo = state().requireRepo(REPO)
    const headSha = state().requirePull(REPO, nums.pending!).pull.head.sha
    const run = repo.checkRuns.find((r) => r.headSha === headSha && r.name === 'test')!
    state().updateCheckRun(repo, run, { conclusion: 'success' })
    // GitHub changed, no event yet: the cache stands and makes no call.
    const quiet = await calls(() => prs('ready'))
    expect(titles(quiet.value)).toEqual(['changes', 'ready'])
    expect(quiet.requests).toEqual([])

    await publishCheckRunCompleted(run.id, headSha)

    const moved = await calls(() =>
      waitFor(
        async () => {
          const page = await prs('ready')
          return titles(page).includes('pending') ? page : undefined
        },
        10_000,
        'the PR to be ready',
      ),
    )
    expect(titles(moved.value!)).toEqual(['changes', 'pending', 'ready'])
    // Only that pull request was asked again: one GraphQL call; the others came from the cache.
    expect(moved.requests.map((r) => r.path)).toEqual(['/graphql'])
  })

  test('a pull request opened or closed, delivered as an event, costs one call for that pull request', async () => {
    await prs('drafts')
    const s = state()
    const opened = s.addPull(REPO, { title: 'late', head: 'b/late', author: 'stranger', draft: true })
    const seen = await calls(async () => {
      await publishWebhook('pull_request', 'opened', { pull_request: { number: opened.number } })
      return waitFor(
        async () => {
          const page = await prs('drafts')
          return titles(page).includes('late') ? page : undefined
        },
        10_000,
        'the opened PR',
      )
    })
    expect(titles(seen.value!)).toEqual(['draft', 'late'])
    expect(seen.requests.map((r) => r.path)).toEqual(['/graphql'])
    const quiet = await calls(() => prs('drafts'))
    expect(quiet.requests).toEqual([])

    s.setIssueState(s.requireRepo(REPO), opened, 'closed')
    const gone = await calls(async () => {
      await publishWebhook('pull_request', 'closed', { pull_request: { number: opened.number } })
      return waitFor(
        async () => {
          const page = await prs('drafts')
          return titles(page).includes('late') ? undefined : page
        },
        10_000,
        'the closed PR',
      )
    })
    expect(titles(gone.value!)).toEqual(['draft'])
    expect(gone.requests.map((r) => r.path)).toEqual(['/graphql'])
  })

  test('every instance drops its cache, though one instance takes the event', async () => {
    const other = await startOwnDashboard({})
    try {
      const path = `/api/dashboard/prs?bucket=ready&workspace=${WS}`
      const readyAt = async (url: string) => titles((await (await get(path, 'alice', url)).json()) as PrPage)
      expect(await readyAt(other.url)).not.toContain('failing')
      expect(await readyAt(base)).not.toContain('failing')
      const headSha = state().requirePull(REPO, nums.failing!).pull.head.sha
      const rerun = state().addCheckRun(REPO, { headSha, name: 'test', conclusion: 'success' })
      await publishCheckRunCompleted(rerun.id, headSha)
      for (const url of [base, other.url])
        await waitFor(async () => (await readyAt(url)).includes('failing'), 10_000, `ready at ${url}`)
    } finally {
      await other.srv.stop()
      await other.started.stop()
    }
  })
})

describe('realtime', () => {
  /** A socket on the dashboard's realtime route, collecting what it is told. */
  async function listen(who: string, workspace: string) {
    const socket = new WebSocket(
      `${base.replace('http', 'ws')}/api/dashboard/realtime?workspace=${workspace}`,
      {
        headers: { authorization: `Bearer ${tokens[who] ?? who}` },
      } as unknown as string[],
    )
    const got: DashboardChanged[] = []
    socket.onmessage = (e) => got.push(JSON.parse(String(e.data)))
    await new Promise((resolve, reject) => {
      socket.onopen = resolve
      socket.onerror = reject
    })
    return { got, close: () => socket.close() }
  }

  test('tells a member when GitHub changed one of the workspace repositories, or the workspace changed', async () => {
    const alice = await listen('alice', WS)
    try {
      const data = {
        deliveryId: crypto.randomUUID(),
        event: 'issues',
        action: 'opened',
        repository: 'x/y',
        redelivery: false,
        payload: { action: 'opened', issue: { number: 1 } },
      }
      const id = crypto.randomUUID()
      const envelope = {
        id,
        type: githubWebhook.type,
        source: 'webhooks',
        time: new Date().toISOString(),
        data,
      }
      await nc
        .jetstream()
        .publish(`bosun.evt.${githubWebhook.subject(data)}`, JSON.stringify(envelope), { msgID: id })
      const headSha = state().requirePull(REPO, nums.ready!).pull.head.sha
      await publishCheckRunCompleted(1, headSha)
      await waitFor(async () => alice.got.some((m) => m.cause === 'github'), 10_000, 'a github change')
      expect(alice.got.filter((m) => m.cause === 'github').map((m) => m.repo)).toContain(REPO)
      expect(alice.got.some((m) => m.repo === 'x/y')).toBe(false)

      await ws('POST', `/${WS}/author-records`, { login: 'newcomer', status: 'unknown' })
      await waitFor(async () => alice.got.some((m) => m.cause === 'workspace'), 10_000, 'a workspace change')
      expect(alice.got.every((m) => m.type === 'changed' && m.workspace === WS)).toBe(true)
      await ws('DELETE', `/${WS}/author-records/newcomer`)
    } finally {
      alice.close()
    }
  })

  test('refuses the upgrade to a non-member (404) and to no credential (401)', async () => {
    const upgrade = (auth?: string) =>
      fetch(`${base}/api/dashboard/realtime?workspace=${WS}`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': btoa('0123456789abcdef'),
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
      })
    expect((await upgrade(tokens.bob)).status).toBe(404)
    expect((await upgrade()).status).toBe(401)
  })
})

describe('access', () => {
  test('a user cannot read a workspace they do not belong to (404), nor default to one', async () => {
    for (const path of [
      `/api/dashboard/prs?bucket=ready&workspace=${WS}`,
      `/api/dashboard/issues?bucket=triage&workspace=${WS}`,
      `/api/dashboard/vetted-author/alice?workspace=${WS}`,
      `/api/github/issue-meta/${REPO}/1?workspace=${WS}`,
    ]) {
      const res = await get(path, 'bob')
      expect({ path, status: res.status }).toEqual({ path, status: 404 })
      expect(await res.json()).toMatchObject({ error: 'not_found' })
    }
    expect((await get('/api/dashboard/prs?bucket=ready', 'bob')).status).toBe(404)
    expect((await get('/api/dashboard/prs?bucket=ready&workspace=no-such-ws', 'alice')).status).toBe(404)
    expect((await get('/api/dashboard/prs?bucket=ready')).status).toBe(200)
    expect((await get('/api/dashboard/prs?bucket=ready', 'nobody')).status).toBe(401)
  })

  test('each route refuses a caller without its scope with 403', async () => {
    const authorsOnly = await createApiKey(stack.publicUrl, tokens.alice!, ['team_authors:read'])
    const membersOnly = await createApiKey(stack.publicUrl, tokens.alice!, ['team_members:read'])
    const cases: Array<[string, string]> = [
      [`/api/dashboard/prs?bucket=ready&workspace=${WS}`, authorsOnly],
      [`/api/dashboard/issues?bucket=triage&workspace=${WS}`, authorsOnly],
      [`/api/github/issue-meta/${REPO}/1?workspace=${WS}`, authorsOnly],
      [`/api/dashboard/vetted-author/alice?workspace=${WS}`, membersOnly],
    ]
    for (const [path, key] of cases) {
      const res = await get(path, key)
      expect({ path, status: res.status }).toEqual({ path, status: 403 })
      expect(await res.json()).toMatchObject({ error: 'forbidden' })
    }
    expect((await get(`/api/dashboard/vetted-author/alice?workspace=${WS}`, authorsOnly)).status).toBe(200)
  })

  test('an API-key caller reads with the GitHub App installation token', async () => {
    const key = await createApiKey(stack.publicUrl, tokens.alice!, ['team_members:read'])
    const { value, requests } = await calls(() => get(`/api/dashboard/issues?bucket=triage`, key))
    expect(value.status).toBe(200)
    expect(titles((await value.json()) as IssuePage)).toEqual(['untriaged'])
    const repoCalls = requests.filter(
      (r) => r.path.startsWith('/repos/') && !r.path.endsWith('/installation'),
    )
    expect(repoCalls.length).toBeGreaterThan(0)
    for (const r of repoCalls) expect(r.token?.startsWith('ghs_')).toBe(true)
    const userToken = [...state().tokens.entries()].find(([, login]) => login === 'alice')?.[0]
    expect(requests.some((r) => r.token === userToken)).toBe(false)
    const rate = (await (await get('/api/rate-limit', key)).json()) as RateLimit
    expect(rate.identity).toBe('app')
  })

  test('an installation token GitHub revoked is replaced, not answered with 503 until it expires', async () => {
    const own = await startOwnDashboard({ BOSUN_DASHBOARD_MAX_AGE_SECONDS: '0' })
    try {
      const key = await createApiKey(stack.publicUrl, tokens.alice!, ['team_members:read'])
      const path = `/api/dashboard/issues?bucket=triage&workspace=${WS}`
      expect((await get(path, key, own.url)).status).toBe(200)
      state().installationTokens.clear()
      const { value, requests } = await calls(() => get(path, key, own.url))
      expect(value.status).toBe(200)
      expect(titles((await value.json()) as IssuePage)).toEqual(['untriaged'])
      expect(requests.some((r) => r.status === 401)).toBe(true)
    } finally {
      await own.srv.stop()
      await own.started.stop()
    }
  })

  test('an admin API key without workspace=: 400 naming the parameter when there are several', async () => {
    const res = await get('/api/dashboard/prs?bucket=ready', stack.bootstrapKey)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request', details: [{ path: '/workspace' }] })
  })

  test('several workspaces: 400 without workspace=, the chosen one with it', async () => {
    await ws('POST', '', { id: OTHER_WS, name: 'Other' })
    await ws('POST', `/${OTHER_WS}/team-members`, { login: 'alice' })
    await waitFor(
      async () => (await get('/api/dashboard/prs?bucket=ready')).status === 400,
      10_000,
      'ambiguity',
    )
    const res = await get('/api/dashboard/prs?bucket=ready')
    expect(await res.json()).toMatchObject({ error: 'invalid_request', details: [{ path: '/workspace' }] })
    expect((await prs('ready', `&workspace=${WS}`)).workspace).toBe(WS)
    expect((await prs('ready', `&workspace=${OTHER_WS}`)).results).toEqual([])
    await ws('DELETE', `/${OTHER_WS}/team-members/alice`)
    await waitFor(
      async () => (await get('/api/dashboard/prs?bucket=ready')).status === 200,
      10_000,
      'one again',
    )
  })
})

describe('vetted author, issue meta, rate limit', () => {
  test('vetted-author lists recent PRs and issues by a login with the author record', async () => {
    const res = await get('/api/dashboard/vetted-author/slopper')
    expect(res.status).toBe(200)
    const body = (await res.json()) as VettedAuthor
    expect(body).toMatchObject({ login: 'slopper', member: false, record: { status: 'suspected-slop' } })
    expect(body.pullRequests.map((p) => p.title)).toEqual(['changes'])
    expect(body.issues).toEqual([])
    const bob = (await (await get('/api/dashboard/vetted-author/bob')).json()) as VettedAuthor
    expect(bob.issues.map((i) => i.title).sort()).toEqual(['assigned-alice', 'old'])
    expect((await get('/api/dashboard/vetted-author/-bad-')).status).toBe(400)
  })

  test('issue-meta: title, state, draft, merged_at; 404 outside the workspace repositories', async () => {
    const meta = await get(`/api/github/issue-meta/${REPO}/${nums.draft}`)
    expect(await meta.json()).toEqual({ title: 'draft', state: 'open', draft: true, merged_at: null })
    const closed = state().requireRepo(REPO)
    const issue = [...closed.issues.values()].find((i) => i.title === 'closed')!
    expect(await (await get(`/api/github/issue-meta/${REPO}/${issue.number}`)).json()).toEqual({
      title: 'closed',
      state: 'closed',
      draft: false,
      merged_at: null,
    })
    expect((await get(`/api/github/issue-meta/${REPO}/9999`)).status).toBe(404)
    expect((await get('/api/github/issue-meta/someone/else/1')).status).toBe(404)
    expect((await get(`/api/github/issue-meta/${REPO}/abc`)).status).toBe(400)
  })

  test("rate-limit: the caller's own GitHub limits", async () => {
    const res = await get('/api/rate-limit')
    expect(res.status).toBe(200)
    const body = (await res.json()) as RateLimit
    expect(body.identity).toBe('user')
    expect(body.resources.core).toMatchObject({ limit: 5000 })
    expect(Date.parse(body.resources.core!.resetAt)).toBeGreaterThan(Date.now())
  })
})

describe('many checks', () => {
  test('every page of check runs and statuses counts, not only the first', async () => {
    const wide = `wide-${uid}`
    const repo = `acme-${uid}/wide`
    const s = state()
    s.addRepo(repo)
    const pr = s.addPull(repo, { title: 'wide', head: 'b/wide', author: 'trusty', createdAt: hoursAgo(5) })
    const sha = s.requirePull(repo, pr.number).pull.head.sha
    // GitHub lists newest first: the oldest run and status, both failing, are on the last page.
    s.addCheckRun(repo, { headSha: sha, name: 'test', conclusion: 'failure' })
    for (let i = 0; i < 110; i++)
      s.addCheckRun(repo, { headSha: sha, name: `matrix-${i}`, conclusion: 'success' })
    s.addStatus(repo, { sha, state: 'failure', context: 'lint/types' })
    for (let i = 0; i < 40; i++) s.addStatus(repo, { sha, state: 'success', context: `status-${i}` })
    await ws('POST', '', { id: wide, name: 'Wide' })
    await ws('POST', `/${wide}/repositories`, { fullName: repo })
    await ws('POST', `/${wide}/check-policies`, { name: 'ci', requiredChecks: ['test', 'lint/*'] })

    const item = byTitle(await prs('needs-review', `&workspace=${wide}`, 'boss'), 'wide')
    expect(item.checks).toMatchObject({ total: 152, failed: 2, passed: 150 })
    expect(item.checks.required.map((r) => [r.pattern, r.state])).toEqual([
      ['test', 'failed'],
      ['lint/*', 'failed'],
    ])
    expect(item.ready).toBe(false)
    expect(titles(await prs('failing-checks', `&workspace=${wide}`, 'boss'))).toEqual(['wide'])
  })
})

describe('the rate limit as a budget', () => {
  test('near the limit the cache answers, marked stale with its age; with nothing cached, 429 with the reset', async () => {
    const own = await startOwnDashboard({
      BOSUN_DASHBOARD_MAX_AGE_SECONDS: '0',
      BOSUN_DASHBOARD_RATE_RESERVE: '100',
    })
    const user = state().user('alice')!
    const bucket = gh().rateLimits.bucket(`user:${user.id}`, 'graphql')
    const before = bucket.used
    try {
      const path = `/api/dashboard/prs?bucket=ready&workspace=${WS}`
      const fresh = (await (await get(path, 'alice', own.url)).json()) as PrPage
      expect(fresh.stale).toEqual([])
      // The next refresh leaves under 61 points, below the reserve of 100, and GitHub says so in its answer.
      bucket.used = bucket.limit - 61
      expect((await get(path, 'alice', own.url)).status).toBe(200)
      const { value, requests } = await calls(() => get(path, 'alice', own.url))
      const page = (await value.json()) as PrPage
      expect(requests).toEqual([])
      expect(titles(page)).toEqual(titles(fresh))
      expect(page.stale).toEqual([
        { repo: REPO, asOf: expect.any(String), ageSeconds: expect.any(Number), resetAt: expect.any(String) },
      ])
      expect(Date.parse(page.stale[0]!.resetAt!)).toBe(bucket.reset * 1000)
      const rate = (await (await get('/api/rate-limit', 'alice', own.url)).json()) as RateLimit
      expect(rate.observed.graphql).toMatchObject({
        remaining: bucket.limit - bucket.used,
        limit: bucket.limit,
      })
      expect(rate.reserve).toBe(100)

      // A repository never read has no cache to fall back on.
      const other = `acme-${uid}/budget`
      state().addRepo(other)
      const budgetWs = `budget-${uid}`
      await ws('POST', '', { id: budgetWs, name: 'Budget' })
      await ws('POST', `/${budgetWs}/team-members`, { login: 'alice' })
      await ws('POST', `/${budgetWs}/repositories`, { fullName: other })
      const res = await get(`/api/dashboard/prs?bucket=ready&workspace=${budgetWs}`, 'alice', own.url)
      expect(res.status).toBe(429)
      const body = (await res.json()) as { error: string; details: { resetAt: string } }
      expect(body.error).toBe('rate_limited')
      expect(Date.parse(body.details.resetAt)).toBe(bucket.reset * 1000)
      await ws('DELETE', `/${budgetWs}/team-members/alice`)
    } finally {
      bucket.used = before
      await own.srv.stop()
      await own.started.stop()
    }
  })
})

describe('several repositories', () => {
  test('one repository of five failing is reported; the other four answer', async () => {
    const many = `many-${uid}`
    const repos = [1, 2, 3, 4, 5].map((n) => `acme-${uid}/part-${n}`)
    await ws('POST', '', { id: many, name: 'Many' })
    for (const repo of repos) {
      state().addRepo(repo)
      state().addPull(repo, {
        title: `work in ${repo}`,
        head: 'b/work',
        author: 'trusty',
        createdAt: hoursAgo(2),
      })
      await ws('POST', `/${many}/repositories`, { fullName: repo })
    }
    gh().faults.set(repos[2]!.toLowerCase(), 502)
    try {
      const page = await prs('needs-review', `&workspace=${many}`, 'boss')
      expect(titles(page)).toEqual(
        repos
          .filter((_, i) => i !== 2)
          .map((r) => `work in ${r}`)
          .sort(),
      )
      expect(page.unavailableRepos).toEqual([
        { repo: repos[2]!, reason: expect.any(String), error: 'unavailable' },
      ])
    } finally {
      gh().faults.clear()
    }
  })
})

describe('GitHub failures', () => {
  test('rate limited: 429 with the reset time', async () => {
    const user = state().user('alice')!
    const bucket = gh().rateLimits.bucket(`user:${user.id}`, 'core')
    const before = bucket.used
    bucket.used = bucket.limit
    try {
      // A bucket nobody asked for yet, so the read has to go to GitHub.
      const res = await get(`/api/github/issue-meta/${REPO}/${nums.failing}`)
      expect(res.status).toBe(429)
      const body = (await res.json()) as { error: string; details: { resetAt: string } }
      expect(body.error).toBe('rate_limited')
      expect(Date.parse(body.details.resetAt)).toBeGreaterThan(Date.now())
    } finally {
      bucket.used = before
    }
  })

  test('a token GitHub refuses: 401 github_token_invalid', async () => {
    const held = [...state().tokens.entries()].filter(([, login]) => login === 'bob')
    await ws('POST', `/${OTHER_WS}/team-members`, { login: 'bob' })
    await waitFor(
      async () => (await get('/api/dashboard/prs?bucket=ready', 'bob')).status === 200,
      10_000,
      'bob',
    )
    for (const [token] of held) state().tokens.delete(token)
    await ws('POST', `/${OTHER_WS}/repositories`, { fullName: REPO })
    // Until the live workspace change lands the workspace has no repository, and nothing to ask GitHub.
    const res = (await waitFor(
      async () => {
        const r = await get('/api/dashboard/prs?bucket=ready', 'bob')
        return r.status === 200 ? undefined : r
      },
      10_000,
      'the repository to be read',
    ))!
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'github_token_invalid' })
  })

  test('GitHub unreachable: 503', async () => {
    const own = await startOwnDashboard({ GITHUB_API_URL: 'http://127.0.0.1:9' })
    try {
      const res = await get('/api/rate-limit', 'alice', own.url)
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({ error: 'unavailable' })
    } finally {
      await own.srv.stop()
      await own.started.stop()
    }
  })
})
