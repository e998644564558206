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

describe('human in the loop on the session page', () => {
  test('a bash call under ask shows Allow once; clicking it runs the command and the request shows who allowed it', async () => {
    const { page, context } = dev
    const res = await context.request.post('/api/agent-sessions', {
      data: {
        workspace: WS,
        prompt: 'Run the command `echo clicked-$((40+2))`',
        permissions: { rules: { bash: 'ask' }, bashAllow: [], questions: 'ask' },
      },
    })
    expect(res.status()).toBe(201)
    const { thread } = (await res.json()) as { thread: { id: string; worktreeId: string } }
    await page.goto(`/agent-sessions/worktrees/${thread.worktreeId}/threads/${thread.id}`)
    const timeline = page.getByRole('list', { name: 'Status timeline' })
    await timeline.locator('li[data-status="waiting_permission"]').waitFor({ timeout: 120_000 })
    const request = page.getByRole('group', { name: 'Permission request: bash' })
    await request.getByRole('button', { name: 'Allow once' }).waitFor()
    await page.getByLabel('Auto-approve permission requests', { exact: false }).waitFor()
    await screenshot(page, 'session-permission-request')
    expect(await axeFindings(page)).toEqual([])
    await request.getByRole('button', { name: 'Allow once' }).click()
    await request.getByText('Allowed once by octo-dev').waitFor({ timeout: 30_000 })
    const log = page.getByRole('log', { name: 'Transcript' })
    await log.locator('.item-assistant', { hasText: 'clicked-42' }).waitFor({ timeout: 120_000 })
    expect(await request.getByRole('button', { name: 'Allow once' }).count()).toBe(0)
  }, 240_000)
})
