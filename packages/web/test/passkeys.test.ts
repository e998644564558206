import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { axeFindings, screenshot, signIn, startWebStack } from './harness'

setDefaultTimeout(60_000)
let stack: Awaited<ReturnType<typeof startWebStack>>

beforeAll(async () => {
  stack = await startWebStack({ host: 'localhost' })
}, 120_000)
afterAll(() => stack?.stop())

/** Chromium's virtual authenticator (DevTools WebAuthn domain) on this page: a platform passkey that verifies. */
async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  })
}

const signedInAs = (page: Page) =>
  page
    .locator('#account')
    .getByText(/^Signed in as/)
    .textContent()

async function signOut(page: Page) {
  await page.goto('/settings')
  await page.getByRole('button', { name: 'Sign out of this browser' }).click()
  await page.waitForURL((u) => u.pathname === '/login')
}

describe('passkeys', () => {
  test('GitHub sign-in, add a passkey, sign out, sign in with it: the same person', async () => {
    const { context, page } = await signIn(stack.browser, stack.publicUrl, 'octo-dev', '/settings')
    await virtualAuthenticator(page)
    const before = await signedInAs(page)
    expect(before).toContain('octo-dev')

    const list = page.getByRole('list', { name: 'Passkeys' })
    await page.getByLabel('Passkey name').fill('Test laptop')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await list.getByText('Test laptop', { exact: true }).waitFor()
    expect(await page.getByLabel('Passkey name').inputValue()).toBe('')

    await page.getByRole('button', { name: 'Rename Test laptop' }).click()
    await page.getByLabel('New name for Test laptop').fill('Work laptop')
    await page.getByRole('button', { name: 'Save' }).click()
    await list.getByText('Work laptop', { exact: true }).waitFor()
    await page.reload()
    await list.getByText('Work laptop', { exact: true }).waitFor()
    await page.locator('#passkeys').scrollIntoViewIfNeeded()
    await screenshot(page, 'settings-passkeys')
    expect(await axeFindings(page)).toEqual([])

    await signOut(page)
    await page.goto(`/login?next=${encodeURIComponent('/settings#passkeys')}`)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor()
    await screenshot(page, 'login-with-passkey')
    expect(await axeFindings(page)).toEqual([])
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.waitForURL((u) => u.pathname === '/settings')
    expect(await signedInAs(page)).toBe(before)
    await list.getByText('last used').waitFor()
    await context.close()
  })

  test('a passkey removed from Bosun is refused in words on /login', async () => {
    const { context, page } = await signIn(stack.browser, stack.publicUrl, 'octo-admin', '/settings')
    await virtualAuthenticator(page)
    await page.getByLabel('Passkey name').fill('Old key')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    const list = page.getByRole('list', { name: 'Passkeys' })
    await list.getByText('Old key', { exact: true }).waitFor()
    await page.getByRole('button', { name: 'Remove Old key' }).click()
    await page.getByRole('button', { name: 'Yes, remove Old key' }).click()
    await page.getByText('No passkeys yet.').waitFor()

    await signOut(page)
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await page.getByRole('alert').getByText('Bosun does not know this passkey').waitFor()
    await screenshot(page, 'login-passkey-refused')
    expect(page.url()).toContain('/login')
    await context.close()
  })
})
