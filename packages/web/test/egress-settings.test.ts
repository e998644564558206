import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { axeFindings, type Signed, screenshot, signIn, startWebStack } from './harness'

/** The settings section "Agent network access": admins edit the workspace's egress allowlist, members read it. */
setDefaultTimeout(90_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let admin: Signed
let dev: Signed

beforeAll(async () => {
  stack = await startWebStack()
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin')
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev')
}, 120_000)
afterAll(() => stack?.stop())

const hosts = (page: Page) => page.getByRole('list', { name: 'Hosts agents may reach' }).getByRole('listitem')
const section = (page: Page) => page.locator('#agent-network')

const open = async (page: Page) => {
  await page.goto('/settings#agent-network')
  await section(page).getByText('reaches nothing but its model').waitFor()
}

describe('agent network access', () => {
  test('an admin allows hosts (the browser refuses an IP address before sending) and removes one', async () => {
    const { page } = admin
    await open(page)
    await section(page).getByText('No host: agents have no network access but their model.').waitFor()
    const input = page.getByLabel('Host agents may reach')
    await input.fill('127.0.0.1')
    await page.getByRole('button', { name: 'Allow host' }).click()
    expect(await input.evaluate((el) => (el as HTMLInputElement).validity.patternMismatch)).toBe(true)
    for (const host of ['Registry.npmjs.org', '*.pythonhosted.org']) {
      await input.fill(host)
      await page.getByRole('button', { name: 'Allow host' }).click()
      await hosts(page).filter({ hasText: host.toLowerCase() }).waitFor()
    }
    expect(await hosts(page).allInnerTexts()).toEqual([
      expect.stringContaining('*.pythonhosted.org'),
      expect.stringContaining('registry.npmjs.org'),
    ])
    await section(page).getByText('Last changed by octo-admin').waitFor()
    await screenshot(page, 'settings-agent-network')
    expect(await axeFindings(page)).toEqual([])
    await hosts(page)
      .filter({ hasText: '*.pythonhosted.org' })
      .getByRole('button', { name: /Remove/ })
      .click()
    await page.getByRole('button', { name: 'Yes, remove' }).click()
    await hosts(page).filter({ hasText: 'pythonhosted' }).waitFor({ state: 'detached' })
    expect(await hosts(page).count()).toBe(1)
  })

  test('a member sees the list read-only, and the API refuses a write too', async () => {
    const { page } = dev
    await open(page)
    await hosts(page).filter({ hasText: 'registry.npmjs.org' }).waitFor()
    await section(page).getByText('Only admins change this list.').waitFor()
    expect(await page.getByLabel('Host agents may reach').count()).toBe(0)
    expect(await section(page).getByRole('button').count()).toBe(0)
    await screenshot(page, 'settings-agent-network-member')
    expect(await axeFindings(page)).toEqual([])
    const status = await page.evaluate(
      async () =>
        (
          await fetch('/api/aica/egress', {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ workspace: 'demo', hosts: ['evil.example.org'] }),
          })
        ).status,
    )
    expect(status).toBe(403)
  })
})
