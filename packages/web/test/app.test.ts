import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import {
  axeFindings,
  newContext,
  type Signed,
  screenshot,
  scrollsSideways,
  signIn,
  startWebStack,
} from './harness'

setDefaultTimeout(30_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let admin: Signed

beforeAll(async () => {
  stack = await startWebStack()
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin')
}, 120_000)
afterAll(() => stack?.stop())

describe('sign-in', () => {
  test('a deep link while signed out goes to /login and, after GitHub, back where it was', async () => {
    const context = await newContext(stack.browser, stack.publicUrl)
    const page = await context.newPage()
    await page.goto('/prs?bucket=drafts')
    await page.waitForURL(/\/login\?next=/)
    await screenshot(page, 'login')
    expect(await axeFindings(page)).toEqual([])
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click()
    await page.getByRole('link', { name: 'octo-dev', exact: true }).click()
    await page.waitForURL((u) => u.pathname === '/prs' && u.searchParams.get('bucket') === 'drafts')
    await page.getByText('WIP: release notes generator').waitFor()
    await context.close()
  })

  test('a refusal is shown in words', async () => {
    const context = await newContext(stack.browser, stack.publicUrl)
    const page = await context.newPage()
    await page.goto('/login?error=not_invited')
    await page.getByRole('alert').getByText('not invited').waitFor()
    await context.close()
  })

  test('signed in, /login goes on to where the person was going', async () => {
    const page = await admin.context.newPage()
    await page.goto('/login?next=%2Fprs%3Fbucket%3Ddrafts')
    await page.waitForURL((u) => u.pathname === '/prs' && u.searchParams.get('bucket') === 'drafts')
    await page.close()
  })
})

describe('pull requests', () => {
  test('the ready bucket lists the demo repository’s ready pull requests with their details', async () => {
    const { page } = admin
    await page.goto('/prs')
    const rows = page.getByRole('list', { name: 'Pull requests: ready' }).getByRole('listitem')
    await page.getByText('Validate the password field').waitFor()
    expect(await rows.filter({ hasText: 'demo-org/demo-repo#' }).count()).toBe(2)
    await page.getByText('Cache avatars').waitFor()
    await screenshot(page, 'prs')
    expect(await axeFindings(page)).toEqual([])
  })

  test('the bucket picker changes the URL and the rows; a reload keeps them', async () => {
    const { page } = admin
    await page.goto('/prs')
    await page.getByLabel('Bucket').selectOption('failing-checks')
    await page.waitForURL(/bucket=failing-checks/)
    await page.getByText('Upgrade the test runner').waitFor()
    await page.reload()
    await page.getByText('Upgrade the test runner').waitFor()
    expect(await page.getByText('Validate the password field').count()).toBe(0)
  })
})

describe('layout', () => {
  test('a 375-pixel-wide screen does not scroll sideways', async () => {
    const page = await admin.context.newPage()
    await page.setViewportSize({ width: 375, height: 800 })
    await page.goto('/prs')
    await page.getByText('Validate the password field').waitFor()
    expect(await scrollsSideways(page)).toBe(false)
    await screenshot(page, 'prs-375px')
    await page.close()
  })

  test('an unknown page says so', async () => {
    const page = await admin.context.newPage()
    await page.goto('/no/such/page')
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    await screenshot(page, 'not-found')
    expect(await axeFindings(page)).toEqual([])
    await page.close()
  })
})
