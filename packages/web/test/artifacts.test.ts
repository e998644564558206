import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { axeFindings, type Signed, screenshot, signIn, startWebStack } from './harness'

setDefaultTimeout(60_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let model: ScriptedModel
let dev: Signed
let admin: Signed

beforeAll(async () => {
  model = await startScriptedModel()
  stack = await startWebStack({
    services: ['artifacts', 'runner'],
    env: { BOSUN_MODEL_BASE_URL: model.url, BOSUN_RUNNER_IDLE_MS: '2000' },
  })
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev', '/issues')
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin', '/issues')
}, 180_000)
afterAll(async () => {
  await stack?.stop()
  await model?.stop()
})

describe('an issue brief', () => {
  test('generate -> see it fill in -> edit it (the claim shown to others) -> two versions and their diff', async () => {
    const { page } = dev
    await page.goto('/issues')
    const row = page.getByRole('listitem').filter({ hasText: 'Document the release process' })
    await row.getByRole('link', { name: /^Brief for / }).click()
    await page.waitForURL(/\/artifacts\/issue\/demo-org\/demo-repo\/\d+$/)
    await page.getByText('No issue brief yet.').waitFor()

    await page.getByRole('button', { name: 'Generate issue brief' }).click()
    await page.getByRole('link', { name: 'Watch its session' }).waitFor()
    const brief = page.getByRole('article', { name: 'Issue brief' })
    await brief
      .getByRole('heading', { name: /Issue brief: Document the release process/ })
      .waitFor({ timeout: 120_000 })
    expect(await brief.getByRole('heading', { name: 'Summary' }).count()).toBe(1)

    await page.getByRole('button', { name: 'Edit issue brief' }).click()
    const editor = page.getByLabel('Markdown of the issue brief')
    await admin.page.goto(page.url())
    await admin.page.getByText('Being edited by octo-dev until').waitFor()
    expect(await admin.page.getByRole('button', { name: 'Edit issue brief' }).isDisabled()).toBe(true)

    await editor.fill(`${await editor.inputValue()}\n\n## Decision\n\nShip it with **care**.`)
    await page.getByRole('button', { name: 'Save issue brief' }).click()
    await brief.getByText('Ship it with').waitFor()
    expect(await brief.locator('strong', { hasText: 'care' }).count()).toBe(1)
    await admin.page.getByText('Being edited by octo-dev').waitFor({ state: 'detached' })
    await admin.page.getByRole('article', { name: 'Issue brief' }).getByText('Ship it with').waitFor()

    const versions = page.getByRole('list', { name: 'Versions' })
    await versions.getByRole('listitem').nth(1).waitFor()
    expect(await versions.getByRole('listitem').count()).toBe(2)
    await page.getByText('v1 → v2').waitFor()
    expect(await page.locator('.diff-added', { hasText: 'Ship it with **care**.' }).count()).toBe(1)

    await screenshot(page, 'artifact')
    expect(await axeFindings(page)).toEqual([])
  }, 180_000)

  test('agent Markdown cannot run in the page: HTML shows as text, javascript: links are not links', async () => {
    const { page } = dev
    const ws = 'demo'
    const url = new URL(page.url())
    const [, , , owner, repo, number] = url.pathname.split('/')
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.publicUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    const base = `/api/workspaces/${ws}/artifacts`
    const claimed = (await (await api('POST', `${base}/issue/${owner}/${repo}/${number}/claim`)).json()) as {
      id: string
      latestVersion: number
    }
    const hostile = '<img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=2)'
    expect(
      (
        await api('POST', `${base}/${claimed.id}/edit`, {
          content: hostile,
          baseVersion: claimed.latestVersion,
        })
      ).status,
    ).toBe(200)
    await api('POST', `${base}/${claimed.id}/release`)
    const brief = page.getByRole('article', { name: 'Issue brief' })
    await brief.getByText('<img src=x').waitFor()
    expect(await brief.locator('img').count()).toBe(0)
    expect(await brief.getByRole('link').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  })
})
