import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

/**
 * Who may start an auto-dispatch is a setting per allowlisted repository: members only (the default), members
 * and vetted authors, or anyone. Signed deliveries go through the gateway; the delivery log says what became of
 * each, and a malformed or oversized issue never becomes a thread as sent.
 */
let stack: Stack
const REPO = 'demo-org/demo-repo'
const headers = () => ({ authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' })
const api = (method: string, path: string, body?: unknown) =>
  fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: headers(),
    body: body === undefined ? undefined : JSON.stringify(body),
  })

beforeAll(async () => {
  stack = await startStack({
    services: ['auth', 'workspace', 'aica', 'webhooks', 'gateway'],
    env: { BOSUN_ADMIN_LOGINS: 'octo-admin' },
  })
  expect((await api('POST', '/api/workspaces', { id: 'auto', name: 'Auto' })).status).toBe(201)
  expect(
    (await api('POST', '/api/workspaces/auto/repositories', { fullName: REPO, isDefaultForAgents: true }))
      .status,
  ).toBe(201)
  expect((await api('POST', '/api/workspaces/auto/team-members', { login: 'octo-dev' })).status).toBeLessThan(
    300,
  )
  expect(
    (await api('POST', '/api/workspaces/auto/author-records', { login: 'octo-vetted', status: 'trusted' }))
      .status,
  ).toBeLessThan(300)
  expect(
    (
      await api('POST', '/api/workspaces/auto/author-records', {
        login: 'octo-slop',
        status: 'suspected-slop',
      })
    ).status,
  ).toBeLessThan(300)
}, 90_000)

afterAll(async () => {
  await stack.stop()
})

let issueNumber = 1
type Outcome = { workspaceId: string | null; threadId: string | null; reason: string }

/** Sends a signed `issues.opened` through the gateway and waits for what auto-dispatch made of it. */
async function open(sender: string, issue: Record<string, unknown> = {}): Promise<Outcome> {
  const deliveryId = crypto.randomUUID()
  const body = JSON.stringify({
    action: 'opened',
    issue: { number: issueNumber++, title: 'Broken build', body: 'It fails.', ...issue },
    repository: { full_name: REPO },
    sender: { login: sender },
  })
  const res = await fetch(`${stack.publicUrl}/api/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': `sha256=${createHmac('sha256', stack.webhookSecret).update(body).digest('hex')}`,
    },
    body,
  })
  expect(res.status).toBe(202)
  const outcomes = await waitFor(
    async () => {
      const detail = (await (await api('GET', `/api/webhook-deliveries/${deliveryId}`)).json()) as {
        outcomes?: Outcome[]
      }
      return detail.outcomes?.length ? detail.outcomes : undefined
    },
    20_000,
    `the outcome of delivery ${deliveryId}`,
  )
  expect(outcomes).toHaveLength(1)
  return outcomes![0]!
}

const setFrom = async (triggerFrom: string) => {
  const res = await api('PUT', `/api/auto-trigger-repos/${REPO}`, { workspace: 'auto', triggerFrom })
  expect(res.status).toBe(200)
}

test('a new repository is members-only: a member starts a thread, a stranger does not and the log says why', async () => {
  const added = await api('POST', '/api/auto-trigger-repos', { workspace: 'auto', repo: REPO })
  expect(added.status).toBe(201)
  expect(((await added.json()) as { repos: Array<{ triggerFrom: string }> }).repos).toEqual([
    expect.objectContaining({ repo: REPO, triggerFrom: 'members' }),
  ])
  const stranger = await open('octo-stranger')
  expect(stranger).toMatchObject({ workspaceId: 'auto', threadId: null })
  expect(stranger.reason).toContain('octo-stranger is not a member')
  expect(await open('octo-vetted')).toMatchObject({ threadId: null })
  const member = await open('octo-dev')
  expect(member).toMatchObject({ workspaceId: 'auto', reason: 'started' })
  expect(member.threadId).toBeString()
})

test('vetted: trusted authors start threads too; suspected slop and strangers do not', async () => {
  await setFrom('vetted')
  expect(await open('octo-vetted')).toMatchObject({ reason: 'started' })
  expect((await open('octo-slop')).reason).toContain('neither a member nor an author recorded trusted')
  expect((await open('octo-stranger')).threadId).toBeNull()
})

test('anyone: a stranger starts a thread', async () => {
  await setFrom('anyone')
  expect(await open('octo-stranger')).toMatchObject({ reason: 'started' })
})

test('a malformed issue number or title is refused before it becomes work', async () => {
  await setFrom('anyone')
  for (const issue of [{ number: 'abc' }, { number: -5 }, { number: null }, { number: 1.5 }, { title: 42 }]) {
    const outcome = await open('octo-dev', issue)
    expect(outcome.threadId).toBeNull()
    expect(outcome.reason).toStartWith('malformed payload')
  }
})

test('a huge title and body are cut to the documented caps in the prompt', async () => {
  await setFrom('anyone')
  // Together under NATS's message size, past which a payload travels without its body.
  const huge = 400_000
  const outcome = await open('octo-dev', { title: 't'.repeat(huge), body: 'b'.repeat(huge) })
  expect(outcome.reason).toBe('started')
  const snap = (await (await api('GET', `/api/agent-sessions/${outcome.threadId}`)).json()) as {
    thread: { prompt: string }
  }
  expect(snap.thread.prompt.length).toBeLessThan(21_000)
  expect(snap.thread.prompt).toContain(`[cut at 256 of ${huge} characters]`)
  expect(snap.thread.prompt).toContain(`[cut at 20000 of ${huge} characters]`)
})
