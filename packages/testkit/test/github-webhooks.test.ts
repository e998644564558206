import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { verify } from '@octokit/webhooks-methods'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'

type Received = { headers: Headers; body: string; json: Record<string, unknown> }
const SECRET = 'it is a secret'
const REPO = 'demo-org/demo-repo'

let gh: GitHubEmulator
let receiver: ReturnType<typeof Bun.serve>
let received: Received[] = []
let answer = 202
let token: string

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (req) => {
      const body = await req.text()
      received.push({ headers: req.headers, body, json: JSON.parse(body) })
      return new Response(null, { status: answer })
    },
  })
  gh = await startGitHubEmulator({
    seed: 'demo',
    webhook: { url: `http://127.0.0.1:${receiver.port}/hook`, secret: SECRET },
  })
  token = gh.state.tokenFor('octo-dev')
})
afterAll(async () => {
  await gh.stop()
  await receiver.stop(true)
})

const call = (path: string, method: string, body: unknown, as = token) =>
  fetch(`${gh.url}${path}`, {
    method,
    headers: { authorization: `token ${as}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

/** Runs `act`, waits for its deliveries to settle, returns what the receiver got meanwhile. */
async function deliveriesOf(act: () => Promise<unknown>): Promise<Received[]> {
  received = []
  await act()
  await gh.webhooksSettled()
  return received
}
const kinds = (rs: Received[]) => rs.map((r) => `${r.headers.get('x-github-event')}.${r.json.action ?? ''}`)

describe('webhooks', () => {
  test('REST changes send signed GitHub deliveries with repository, sender and installation', async () => {
    const got = await deliveriesOf(() =>
      call(`/repos/${REPO}/issues`, 'POST', { title: 'Hooked', labels: ['bug'], assignees: ['octo-new'] }),
    )
    expect(kinds(got)).toEqual(['issues.opened', 'issues.labeled', 'issues.assigned'])
    const ids = new Set<string>()
    for (const r of got) {
      expect(await verify(SECRET, r.body, r.headers.get('x-hub-signature-256')!)).toBe(true)
      expect(await verify('wrong', r.body, r.headers.get('x-hub-signature-256')!)).toBe(false)
      expect(r.headers.get('user-agent')).toStartWith('GitHub-Hookshot/')
      expect(r.headers.get('x-github-hook-id')).toMatch(/^\d+$/)
      expect(r.headers.get('content-type')).toBe('application/json')
      ids.add(r.headers.get('x-github-delivery')!)
      expect(r.json).toMatchObject({
        repository: { full_name: REPO },
        sender: { login: 'octo-dev' },
        installation: { id: gh.state.installationOf(gh.state.requireRepo(REPO)).id },
        issue: { title: 'Hooked' },
      })
    }
    expect(ids.size).toBe(3)
    expect(got[1]!.json.label).toMatchObject({ name: 'bug' })
    expect(got[2]!.json.assignee).toMatchObject({ login: 'octo-new' })
    const number = (got[0]!.json.issue as { number: number }).number

    const edits = await deliveriesOf(async () => {
      await call(`/repos/${REPO}/issues/${number}`, 'PATCH', { title: 'Hooked twice' })
      await call(`/repos/${REPO}/issues/${number}/comments`, 'POST', { body: 'hello' })
      await call(`/repos/${REPO}/issues/${number}`, 'PATCH', { state: 'closed' })
    })
    expect(kinds(edits)).toEqual(['issues.edited', 'issue_comment.created', 'issues.closed'])
    expect(edits[0]!.json.changes).toEqual({ title: { from: 'Hooked' } })
  })

  test('pull request, review, check run and status changes', async () => {
    const pulls = (await (
      await fetch(`${gh.url}/repos/${REPO}/pulls`, { headers: { authorization: `token ${token}` } })
    ).json()) as { number: number; title: string; head: { sha: string } }[]
    const pr = pulls.find((p) => p.title === 'Cache avatars')!
    const admin = gh.state.tokenFor('octo-admin')
    const ghs = gh.state.installationToken(REPO)
    const got = await deliveriesOf(async () => {
      await call(`/repos/${REPO}/pulls/${pr.number}/reviews`, 'POST', {
        event: 'REQUEST_CHANGES',
        body: 'no',
      })
      await call(
        `/repos/${REPO}/check-runs`,
        'POST',
        { name: 'ci', head_sha: pr.head.sha, conclusion: 'success' },
        ghs,
      )
      await call(`/repos/${REPO}/statuses/${pr.head.sha}`, 'POST', { state: 'failure', context: 'lint' })
      await call(`/repos/${REPO}/pulls/${pr.number}`, 'PATCH', { state: 'closed' }, admin)
    })
    expect(kinds(got)).toEqual([
      'pull_request_review.submitted',
      'check_run.created',
      'check_run.completed',
      'status.',
      'pull_request.closed',
    ])
    expect(got[0]!.json.review).toMatchObject({ state: 'changes_requested'.toUpperCase() })
    expect(got[1]!.json.sender).toMatchObject({ login: 'bosun-emulator[bot]' })
    expect(got[2]!.json.check_run).toMatchObject({
      conclusion: 'success',
      pull_requests: [{ number: pr.number }],
    })
    expect(got[3]!.json).toMatchObject({ sha: pr.head.sha, state: 'failure', context: 'lint' })
    expect(got[4]!.json).toMatchObject({
      number: pr.number,
      pull_request: { state: 'closed', merged: false },
    })

    const ready = await deliveriesOf(async () => {
      const draft = pulls.find((p) => p.title.startsWith('WIP'))!
      gh.state.markReady(REPO, draft.number, { notify: true })
    })
    expect(kinds(ready)).toEqual(['pull_request.ready_for_review'])
  })

  test('seeding helpers send nothing unless asked', async () => {
    const quiet = await deliveriesOf(async () => gh.state.addIssue(REPO, { title: 'quiet' }))
    expect(quiet).toEqual([])
    const loud = await deliveriesOf(async () => gh.state.addIssue(REPO, { title: 'loud' }, { notify: true }))
    expect(kinds(loud)).toEqual(['issues.opened'])
  })

  test('failed deliveries are recorded, never thrown; redelivery re-sends the same body and delivery id', async () => {
    answer = 500
    const failed = await deliveriesOf(() => call(`/repos/${REPO}/issues`, 'POST', { title: 'Refused' }))
    answer = 202
    const id = failed[0]!.headers.get('x-github-delivery')!
    const record = gh.deliveries.find((d) => d.id === id)!
    expect(record.status).toBe(500)
    const again = await deliveriesOf(() => gh.redeliver(id))
    expect(again.length).toBe(1)
    expect(again[0]!.headers.get('x-github-delivery')).toBe(id)
    expect(again[0]!.body).toBe(failed[0]!.body)
    expect(gh.deliveries.filter((d) => d.id === id).map((d) => [d.status, d.redelivery])).toEqual([
      [500, false],
      [202, true],
    ])

    gh.setWebhook('http://127.0.0.1:9/closed', SECRET)
    const res = await call(`/repos/${REPO}/issues`, 'POST', { title: 'Nobody listens' })
    expect(res.status).toBe(201)
    await gh.webhooksSettled()
    const last = gh.deliveries.at(-1)!
    expect(last.error).toBeString()
    expect(last.status).toBeUndefined()
    gh.setWebhook(`http://127.0.0.1:${receiver.port}/hook`, SECRET)
  })
})
