import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import type { Page } from 'playwright-core'
import { checkPage, type Signed, signIn, startWebStack } from './harness'

setDefaultTimeout(60_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let model: ScriptedModel
let dev: Signed
let admin: Signed

const DEMO = 'Create a file named notes.txt that says hello.'
const SLOW = 'Explain the repository slowly.'
const DETAIL = /\/agent-sessions\/worktrees\/(wt_\w+)\/threads\/(thr_\w+)$/

beforeAll(async () => {
  // A long streamed answer keeps the second thread running long enough to watch it move groups.
  model = await startScriptedModel({
    chunkDelayMs: 40,
    scripts: [
      {
        name: 'slow',
        pattern: /Explain the repository slowly/,
        turns: [() => ({ text: 'This repository holds a demo. '.repeat(30) })],
      },
    ],
  })
  stack = await startWebStack({
    services: ['runner'],
    env: { BOSUN_MODEL_BASE_URL: model.url, BOSUN_RUNNER_IDLE_MS: '2000' },
  })
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev', '/agent-sessions')
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin', '/agent-sessions')
}, 180_000)
afterAll(async () => {
  await stack?.stop()
  await model?.stop()
})

/** The new-session form once the workspace's repositories are in it. */
async function openForm(page: Page) {
  await page.goto('/agent-sessions/new')
  await page.locator('option[value="demo-org/demo-repo"]').waitFor({ state: 'attached' })
  expect(await page.getByLabel('Repository').isEnabled()).toBe(true)
}

/** Fills the new-session form with `prompt` and starts it; answers the ids of the session page it lands on. */
async function startSession(page: Page, prompt: string) {
  await openForm(page)
  expect(await page.getByLabel('Repository').inputValue()).toBe('demo-org/demo-repo')
  await page.getByLabel('Prompt').fill(prompt)
  await page.getByRole('button', { name: 'Start session' }).click()
  await page.waitForURL(DETAIL)
  const [, wtId, thrId] = DETAIL.exec(new URL(page.url()).pathname) ?? []
  return { wtId: wtId!, thrId: thrId! }
}

const group = (page: Page, name: string) => page.getByRole('list', { name, exact: true })

describe('agent sessions', () => {
  test('the new-session form: a name the server refuses is shown with its message; the demo prompt dispatches', async () => {
    const { page } = dev
    await openForm(page)
    await page.getByRole('button', { name: 'Add a variable' }).click()
    await page.getByLabel('Name').fill('PATH')
    await page.getByLabel('Value').fill('/evil')
    await page.getByLabel('Prompt').fill(DEMO)
    await page.getByText('They are handed to the agent once and never stored.').waitFor()
    expect(await checkPage(page, 'session-new')).toEqual([])
    await page.getByRole('button', { name: 'Start session' }).click()
    await page.getByRole('list', { name: 'Refused variables' }).getByText('PATH: refused name').waitFor()
    await page.getByText('extraEnv names that would hijack the sandbox are refused').waitFor()
    expect(new URL(page.url()).pathname).toBe('/agent-sessions/new')

    const { thrId } = await startSession(page, DEMO)
    const res = await dev.context.request.get(`/api/agent-sessions/${thrId}`)
    expect(((await res.json()) as { thread: { prompt: string } }).thread.prompt).toBe(DEMO)
  })

  test('an open inbox shows a new session, then moves it from running to done live when it goes idle', async () => {
    const page = await dev.context.newPage()
    await page.goto('/agent-sessions')
    await page
      .getByRole('heading', { name: /^Done/ })
      .or(page.getByText('You have no agent sessions that match.'))
      .waitFor()
    await page.evaluate(() => {
      ;(window as unknown as { __sameDocument?: boolean }).__sameDocument = true
    })
    await startSession(dev.page, SLOW)
    await group(page, 'Running')
      .getByRole('link', { name: new RegExp(SLOW) })
      .waitFor()
    await group(page, 'Done')
      .getByRole('link', { name: new RegExp(SLOW) })
      .waitFor({ timeout: 60_000 })
    expect(
      await group(page, 'Running')
        .getByRole('link', { name: new RegExp(SLOW) })
        .count(),
    ).toBe(0)
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true)
    const row = group(page, 'Done').getByRole('listitem').filter({ hasText: SLOW })
    expect(await row.getByText('demo-org/demo-repo@main').count()).toBe(1)
    expect(await row.getByText('by octo-dev').count()).toBe(1)
    expect(await checkPage(page, 'sessions-inbox')).toEqual([])
  }, 90_000)

  test("the demo prompt's line counts and usage show on the session header and the inbox row", async () => {
    const { thrId } = await startSession(dev.page, DEMO)
    const summary = dev.page.getByTestId('session-summary')
    await summary.getByText('1 file +1 −0').waitFor({ timeout: 60_000 })
    await summary.getByText(/[1-9][\d,]* tokens/).waitFor()
    const page = await dev.context.newPage()
    await page.goto('/agent-sessions')
    const row = page.locator(`li[data-thread="${thrId}"]`)
    await row.getByText('1 file +1 −0').waitFor()
    await row.getByText(/[1-9][\d,]* tokens/).waitFor()
    expect(await checkPage(page, 'sessions-inbox-counts')).toEqual([])
    await page.close()
  }, 90_000)

  test('the legacy URL answers 301 to the session page; a thread the caller may not see is the 404 page', async () => {
    const { thrId } = await startSession(dev.page, DEMO)
    const wtId = DETAIL.exec(new URL(dev.page.url()).pathname)?.[1]
    const moved = await dev.context.request.get(`/agent-sessions/${thrId}?from=old`, { maxRedirects: 0 })
    expect(moved.status()).toBe(301)
    expect(moved.headers().location).toBe(`/agent-sessions/worktrees/${wtId}/threads/${thrId}?from=old`)

    const hidden = await admin.context.request.get(`/agent-sessions/${thrId}`, { maxRedirects: 0 })
    const missing = await admin.context.request.get('/agent-sessions/thr_doesnotexist00', { maxRedirects: 0 })
    expect([hidden.status(), missing.status()]).toEqual([404, 404])
    expect(await hidden.text()).toBe(await missing.text())
    await admin.page.goto(`/agent-sessions/${thrId}`)
    await admin.page.getByRole('heading', { name: 'Page not found' }).waitFor()
  })
})
