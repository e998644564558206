import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { Page } from 'playwright-core'
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
let dev: Signed

beforeAll(async () => {
  stack = await startWebStack()
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin')
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev')
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

describe('session', () => {
  test('a session that ends sends the person to /login?next= on their next read; sign out does too', async () => {
    const dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev')
    await dev.page.getByText('Validate the password field').waitFor()
    await dev.context.clearCookies()
    await dev.page.getByRole('link', { name: 'Issues' }).click()
    await dev.page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/issues')
    await dev.page.getByRole('link', { name: 'Sign in with GitHub' }).click()
    await dev.page.getByRole('link', { name: 'octo-dev', exact: true }).click()
    await dev.page.waitForURL((u) => u.pathname === '/issues')
    await dev.page.getByRole('button', { name: 'Sign out' }).click()
    await dev.page.waitForURL((u) => u.pathname === '/login')
    await dev.page.goto('/members')
    await dev.page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/members')
    await dev.context.close()
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

describe('workspace picker', () => {
  test('with several workspaces the person picks one, and every tab follows (kept on reload)', async () => {
    const api = (path: string, body: unknown) =>
      fetch(`${stack.publicUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await api('/api/workspaces', { id: 'second', name: 'Second team' })).status).toBe(201)
    for (const login of ['octo-admin', 'octo-guest2'])
      expect((await api('/api/workspaces/second/team-members', { login })).status).toBeLessThan(300)
    const page = await admin.context.newPage()
    await visit(page, '/members', 'Members of Demo team')
    await page.getByLabel('Workspace').selectOption('second')
    await page.getByRole('heading', { name: 'Members of Second team' }).waitFor()
    await page.getByRole('list', { name: 'Members' }).getByText('octo-guest2', { exact: true }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Members of Second team' }).waitFor()
    await page.getByLabel('Workspace').selectOption('demo')
    await page.getByRole('heading', { name: 'Members of Demo team' }).waitFor()
    await page.close()
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

describe('actions round-trip and survive a reload', () => {
  const row = (page: Page, list: string, text: string) =>
    page.getByRole('list', { name: list }).getByRole('listitem').filter({ hasText: text })

  test('author records: set, re-assess, remove', async () => {
    const { page } = admin
    await visit(page, '/authors', 'Record an author')
    await page.getByLabel('Login').fill('octo-guest')
    await page.getByLabel('Status').first().selectOption('good-enough')
    await page.getByLabel('Note').first().fill('first look')
    await page.getByRole('button', { name: 'Save record' }).click()
    await row(page, 'Author records', 'octo-guest').getByText('first look').waitFor()
    await page.reload()
    const record = row(page, 'Author records', 'octo-guest')
    await record.locator('.badge', { hasText: 'good-enough' }).waitFor()
    await record.getByText('Re-assess octo-guest').click()
    await record.getByLabel('Status').selectOption('trusted')
    await record.getByRole('button', { name: 'Re-assess' }).click()
    await record.locator('.badge', { hasText: 'trusted' }).waitFor()
    await record.getByRole('button', { name: "Remove octo-guest's record" }).click()
    await record.getByRole('button', { name: 'Yes, remove it' }).click()
    await record.waitFor({ state: 'detached' })
  })

  test('an author record set from a PR row shows on the row', async () => {
    const { page } = admin
    await visit(page, '/prs?bucket=changes-requested', 'Dark mode toggle')
    const pr = row(page, 'Pull requests: changes-requested', 'Dark mode toggle')
    await pr.getByText('Author: octo-new').click()
    await pr.getByLabel('Status').selectOption('suspected-slop')
    await pr.getByRole('button', { name: 'Save record' }).click()
    await pr.locator('.badge', { hasText: 'suspected-slop' }).waitFor()
    await page.reload()
    await row(page, 'Pull requests: changes-requested', 'Dark mode toggle')
      .locator('.badge', { hasText: 'suspected-slop' })
      .waitFor()
  })

  test('check policies: a refused one keeps the form filled; create and remove', async () => {
    const { page } = admin
    await visit(page, '/policies', 'requires build, test')
    await page.getByLabel('Policy name').fill('lint')
    await page.getByLabel(/Required checks/).fill('lint/*')
    await page.getByLabel(/Repositories/).fill('not a repository')
    await page.getByRole('button', { name: 'Save policy' }).click()
    await page.getByRole('alert').waitFor()
    expect(await page.getByLabel('Policy name').inputValue()).toBe('lint')
    await page.getByLabel(/Repositories/).fill('demo-org/demo-repo')
    await page.getByRole('button', { name: 'Save policy' }).click()
    await row(page, 'Check policies', 'lint').waitFor()
    await page.reload()
    const policy = row(page, 'Check policies', 'requires lint/*')
    await policy.getByRole('button', { name: 'Remove lint' }).click()
    await policy.getByRole('button', { name: 'Yes, remove lint' }).click()
    await policy.waitFor({ state: 'detached' })
  })

  test('starred comments and folders: create, star, move, rename, unstar, delete', async () => {
    const { page } = admin
    await visit(page, '/starred', 'No folders yet.')
    await page.getByLabel('New folder').fill('nits')
    await page.getByRole('button', { name: 'Create folder' }).click()
    await row(page, 'Folders', 'nits').waitFor()
    await page
      .getByLabel('Comment link')
      .fill('https://github.com/demo-org/demo-repo/pull/5#discussion_r4242')
    await page.getByLabel('Excerpt').fill('Please name this better')
    await page.getByRole('button', { name: 'Star comment' }).click()
    const comment = row(page, 'Starred comments', 'Please name this better')
    await comment.getByText('no folder').waitFor()
    await comment.getByLabel('Folder of comment 4242').selectOption('nits')
    await comment.locator('.badge', { hasText: 'nits' }).waitFor()
    await row(page, 'Folders', 'nits').getByLabel('Rename nits to').fill('naming')
    await row(page, 'Folders', 'nits').getByRole('button', { name: 'Rename' }).click()
    await comment.locator('.badge', { hasText: 'naming' }).waitFor()
    await page.reload()
    await row(page, 'Starred comments', 'Please name this better')
      .locator('.badge', { hasText: 'naming' })
      .waitFor()
    await row(page, 'Starred comments', 'Please name this better')
      .getByRole('button', { name: 'Unstar' })
      .click()
    await page.getByRole('button', { name: 'Yes, unstar' }).click()
    await page.getByText('No starred comments yet.').waitFor()
    await page.getByRole('button', { name: 'Delete folder naming' }).click()
    await page.getByRole('button', { name: /Yes, delete/ }).click()
    await page.getByText('No folders yet.').waitFor()
  })

  test('bundle: add a file, edit it, a stale edit is refused with reload, delete', async () => {
    const { page } = admin
    await visit(page, '/bundle', 'Bundle digest')
    await page.getByLabel('Name').fill('notes.md')
    await page.getByLabel("Path in the agent's tree").fill('docs/notes.md')
    await page.getByLabel('Content', { exact: true }).fill('# Notes\nfirst')
    await page.getByRole('button', { name: 'Add file' }).click()
    const item = row(page, 'Bundle files', 'notes.md')
    await item.getByText('v1').waitFor()
    const other = await admin.context.newPage()
    await visit(other, '/bundle', 'notes.md')
    await item.getByText('Edit notes.md').click()
    await item.getByLabel('Content of notes.md').fill('# Notes\nsecond')
    await item.getByRole('button', { name: 'Save notes.md' }).click()
    await row(page, 'Bundle files', 'notes.md').getByText('v2').waitFor()
    const stale = row(other, 'Bundle files', 'notes.md')
    await stale.getByText('Edit notes.md').click()
    await stale.getByLabel('Content of notes.md').fill('# Notes\nfrom the stale tab')
    await stale.getByRole('button', { name: 'Save notes.md' }).click()
    await stale.getByText('changed since you opened it').waitFor()
    expect(await stale.getByLabel('Content of notes.md').inputValue()).toBe('# Notes\nfrom the stale tab')
    await other.close()
    await page.reload()
    const saved = row(page, 'Bundle files', 'notes.md')
    await saved.getByText('Edit notes.md').click()
    expect(await saved.getByLabel('Content of notes.md').inputValue()).toBe('# Notes\nsecond')
    await saved.getByRole('button', { name: 'Delete notes.md' }).click()
    await saved.getByRole('button', { name: 'Yes, delete' }).click()
    await page.getByText('No files yet.').waitFor()
  })

  test('API keys: the secret is shown once; revoke', async () => {
    const { page } = admin
    await visit(page, '/settings', 'API keys')
    await page.getByLabel('Key name', { exact: true }).fill('ci-bot')
    await page.getByLabel('team_members:read').check()
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = await page.getByTestId('new-api-key').textContent()
    expect(secret).toMatch(/^psnip_/)
    const me = await fetch(`${stack.publicUrl}/api/auth/session`, {
      headers: { authorization: `Bearer ${secret}` },
    })
    expect(((await me.json()) as { scopes: string[] }).scopes).toEqual(['team_members:read'])
    await page.reload()
    await row(page, 'API keys', 'ci-bot').waitFor()
    expect(await page.getByTestId('new-api-key').count()).toBe(0)
    await row(page, 'API keys', 'ci-bot').getByRole('button', { name: 'Revoke ci-bot' }).click()
    await page.getByRole('button', { name: 'Yes, revoke ci-bot' }).click()
    await page.getByText('No API keys.').waitFor()
  })

  test('admin settings: repositories, auto-trigger, a key the provider refuses is not saved', async () => {
    const { page } = admin
    await visit(page, '/settings', 'Webhook deliveries')
    await page.getByLabel('Repository (owner/name)', { exact: true }).fill('demo-org/other')
    await page.getByRole('button', { name: 'Add repository' }).click()
    await row(page, 'Repositories', 'demo-org/other').waitFor()
    await page.getByLabel('Auto-trigger repository (owner/name)').fill('demo-org/demo-repo')
    await page.getByRole('button', { name: 'Add auto-trigger repository' }).click()
    await row(page, 'Auto-trigger repositories', 'demo-org/demo-repo').waitFor()
    await page.reload()
    await row(page, 'Repositories', 'demo-org/other')
      .getByRole('button', { name: 'Remove demo-org/other' })
      .click()
    await page.getByRole('button', { name: 'Yes, remove demo-org/other' }).click()
    await row(page, 'Repositories', 'demo-org/other').waitFor({ state: 'detached' })
    await row(page, 'Auto-trigger repositories', 'demo-org/demo-repo').getByRole('button').click()
    await page.getByRole('button', { name: 'Yes, stop' }).click()
    await page.getByText('No repository starts agents by itself.').waitFor()

    await page.getByLabel('API key', { exact: true }).fill('sk-not-a-real-key')
    await page.getByLabel('Base URL (optional)').fill('http://127.0.0.1:9/v1')
    await page.getByRole('button', { name: 'Check and save key' }).click()
    await page.locator('#shared-credentials').getByRole('alert').waitFor()
    expect(await page.getByLabel('API key', { exact: true }).inputValue()).toBe('sk-not-a-real-key')
    await page.reload()
    await page.getByText('No shared key').waitFor()
  })

  test('webhook deliveries: filter, payload, redeliver', async () => {
    const gh = stack.github!
    gh.state.tokens.set('gho_web_test', 'octo-dev')
    const opened = await fetch(`${gh.url}/repos/demo-org/demo-repo/issues`, {
      method: 'POST',
      headers: { authorization: 'token gho_web_test', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Webhook from the browser test' }),
    })
    expect(opened.status).toBe(201)
    const { page } = admin
    await visit(page, '/settings', 'Webhook deliveries')
    await page.getByLabel('Event').fill('issues')
    await page.getByRole('button', { name: 'Filter' }).click()
    const delivery = page.getByRole('list', { name: 'Webhook deliveries' }).getByRole('listitem').first()
    await delivery.getByText('issues.opened').waitFor()
    await delivery.getByRole('button', { name: 'Show payload' }).click()
    await delivery.getByText('Webhook from the browser test').waitFor()
    await screenshot(page, 'settings-webhook-payload')
    await delivery.getByRole('button', { name: 'Redeliver' }).click()
    await page.getByText(/^Redelivered /).waitFor()
    await delivery.getByText('redelivered 1×').waitFor()
  })

  test('members: invite and revoke; change a role', async () => {
    const { page } = admin
    await visit(page, '/members', 'Invitations')
    await page.getByLabel('Invite login').fill('octo-friend')
    await page.getByRole('button', { name: 'Invite' }).click()
    await row(page, 'Invitations', 'octo-friend').waitFor()
    await page.reload()
    await row(page, 'Invitations', 'octo-friend').getByRole('button', { name: 'Revoke octo-friend' }).click()
    await page.getByRole('button', { name: "Yes, revoke octo-friend's invitation" }).click()
    await row(page, 'Invitations', 'octo-friend').waitFor({ state: 'detached' })
    await page.getByLabel('Role of octo-dev').selectOption('viewer')
    await page.reload()
    expect(await page.getByLabel('Role of octo-dev').inputValue()).toBe('viewer')
    await page.getByLabel('Role of octo-dev').selectOption('member')
    await page.reload()
    expect(await page.getByLabel('Role of octo-dev').inputValue()).toBe('member')
  })

  test('start an agent on an issue: the new-session form comes prefilled, then its session opens', async () => {
    const { page } = admin
    await visit(page, '/issues', 'Document the release process')
    await page
      .getByRole('link', { name: /Start an agent on demo-org\/demo-repo#\d+/ })
      .first()
      .click()
    await page.waitForURL(/\/agent-sessions\/new\?/)
    expect(await page.getByLabel('Prompt').inputValue()).toContain('Work on GitHub issue demo-org/demo-repo#')
    expect(await page.getByLabel('Repository').inputValue()).toBe('demo-org/demo-repo')
    await page.getByRole('button', { name: 'Start session' }).click()
    await page.waitForURL(/\/agent-sessions\/worktrees\/wt_\w+\/threads\/thr_\w+$/)
    await page.getByText('Work on GitHub issue demo-org/demo-repo#').waitFor()
    await screenshot(page, 'agent-session')
    expect(await axeFindings(page)).toEqual([])
  })
})
