import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { axeFindings, type Signed, screenshot, signIn, startWebStack, WS } from './harness'

setDefaultTimeout(60_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let model: ScriptedModel
let dev: Signed

beforeAll(async () => {
  model = await startScriptedModel()
  stack = await startWebStack({ services: ['runner'], env: { BOSUN_MODEL_BASE_URL: model.url } })
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev', '/issues')
}, 180_000)
afterAll(async () => {
  await stack?.stop()
  await model?.stop()
})

describe('the review gate on the session page', () => {
  test('a turn with changes offers Approve; approving as a draft shows the pull request link', async () => {
    const { page } = dev
    const res = await dev.context.request.post('/api/agent-sessions', {
      data: { workspace: WS, prompt: 'Create a file named review.txt that says approved.' },
    })
    expect(res.status()).toBe(201)
    const { thread } = (await res.json()) as { thread: { id: string; worktreeId: string } }
    await page.goto(`/agent-sessions/worktrees/${thread.worktreeId}/threads/${thread.id}`)
    const review = page.getByRole('region', { name: 'Review' })
    await review.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 120_000 })
    expect(await review.getByRole('button', { name: 'Decline' }).count()).toBe(1)
    expect(await review.getByRole('button', { name: 'Request changes' }).count()).toBe(1)
    expect(await axeFindings(page)).toEqual([])
    await review.getByLabel('Open as draft').check()
    await review.getByRole('button', { name: 'Approve' }).click()
    const link = review.getByRole('link', { name: /\/pull\/\d+$/ })
    await link.waitFor({ timeout: 60_000 })
    const number = Number((await link.getAttribute('href'))!.split('/').at(-1))
    const pull = stack.github!.state.requirePull('demo-org/demo-repo', number)
    expect(pull.pull.head.ref).toBe(`bosun/${thread.id}`)
    expect(pull.pull.draft).toBe(true)
    // Published: no more approving; changes may still be requested.
    expect(await review.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    await screenshot(page, 'session-review-published')
  }, 240_000)
})
