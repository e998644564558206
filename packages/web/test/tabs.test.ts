import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { axeFindings, type Signed, screenshot, scrollsSideways, signIn, startWebStack } from './harness'

setDefaultTimeout(30_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let admin: Signed
let dev: Signed

beforeAll(async () => {
  stack = await startWebStack()
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin')
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev')
}, 120_000)
afterAll(() => stack?.stop())

/** Every tab and page, and what of the emulator's demo data it must show. */
const PAGES: [name: string, path: string, shows: string][] = [
  ['issues', '/issues', 'Document the release process'],
  ['members', '/members', 'octo-dev'],
  ['authors', '/authors', 'New contributor'],
  ['policies', '/policies', 'requires build, test'],
  ['starred', '/starred', 'No starred comments yet.'],
  ['bundle', '/bundle', 'Bundle digest'],
  ['settings', '/settings', 'Webhook deliveries'],
  ['vetted-author', '/dashboard/vetted-author/octo-dev', 'Validate the password field'],
]

const visit = async (page: Page, path: string, shows: string) => {
  await page.goto(path)
  await page.getByText(shows, { exact: false }).first().waitFor()
}

describe('every page', () => {
  for (const [name, path, shows] of PAGES)
    test(`${name} shows the demo data, passes axe and fits 375 pixels`, async () => {
      const { page } = admin
      await page.setViewportSize({ width: 1280, height: 800 })
      await visit(page, path, shows)
      await screenshot(page, name)
      expect(await axeFindings(page)).toEqual([])
      await page.setViewportSize({ width: 375, height: 800 })
      expect(await scrollsSideways(page)).toBe(false)
      await page.setViewportSize({ width: 1280, height: 800 })
    })
})

describe('live', () => {
  test('a member added in one browser appears in another without reload, and goes again', async () => {
    await visit(dev.page, '/members', 'octo-admin')
    await visit(admin.page, '/members', 'octo-admin')
    await admin.page.getByLabel('GitHub login').fill('octo-new')
    await admin.page.getByRole('button', { name: 'Add member' }).click()
    const devMembers = dev.page.getByRole('list', { name: 'Members' })
    await devMembers.getByText('octo-new', { exact: true }).waitFor()
    await admin.page.getByRole('button', { name: 'Remove octo-new' }).click()
    await admin.page.getByRole('button', { name: 'Yes, remove octo-new' }).click()
    await devMembers.getByText('octo-new', { exact: true }).waitFor({ state: 'detached' })
  })

  test('a dropped socket reconnects and resumes: changes made meanwhile arrive', async () => {
    await visit(dev.page, '/authors', 'New contributor')
    await dev.page.evaluate(() =>
      (window as unknown as { __bosunWorkspaceSocket: { drop(): void } }).__bosunWorkspaceSocket.drop(),
    )
    const res = await fetch(`${stack.publicUrl}/api/workspaces/demo/author-records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'resume-check', status: 'trusted', note: 'set while dropped' }),
    })
    expect(res.status).toBeLessThan(300)
    await dev.page.getByText('set while dropped').waitFor()
  })
})

describe('live buckets', () => {
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.publicUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })

  test('the PR rows follow a policy change without reload (the dashboard socket says so)', async () => {
    const { page } = admin
    await visit(page, '/prs?bucket=ready', 'Validate the password field')
    const strict = await api('POST', '/api/workspaces/demo/check-policies', {
      name: 'strict',
      requiredChecks: ['deploy'],
    })
    expect(strict.status).toBeLessThan(300)
    await page.getByText('No pull requests in “ready”.').waitFor()
    expect((await api('DELETE', '/api/workspaces/demo/check-policies/strict')).status).toBeLessThan(300)
    await page.getByText('Validate the password field').waitFor()
  })
})

describe('a member', () => {
  test('sees no admin settings, and the API refuses them too', async () => {
    await visit(dev.page, '/settings', 'API keys')
    expect(await dev.page.getByRole('heading', { name: 'Webhook deliveries' }).count()).toBe(0)
    expect(await dev.page.getByRole('heading', { name: 'Team shared credentials' }).count()).toBe(0)
    await screenshot(dev.page, 'settings-member')
    const statuses = await dev.page.evaluate(async () =>
      Promise.all(
        ['/api/webhook-deliveries', '/api/auth/invites', '/api/auth/users'].map(
          async (p) => (await fetch(p)).status,
        ),
      ),
    )
    expect(statuses).toEqual([403, 403, 403])
  })
})

describe('keyboard', () => {
  test('the tabs are reachable with Tab and open with Enter', async () => {
    const { page } = admin
    await visit(page, '/prs', 'Validate the password field')
    let focused = ''
    for (let i = 0; i < 15 && focused !== 'Issues'; i++) {
      await page.keyboard.press('Tab')
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '')
    }
    expect(focused).toBe('Issues')
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/issues$/)
    await page.getByText('Document the release process').waitFor()
  })
})
