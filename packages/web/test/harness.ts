import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { repoRoot } from '@bosun/testkit/launcher'
import { type ServiceName, type Stack, startStack } from '@bosun/testkit/stack'
import { freePort, tempDir } from '@bosun/testkit/wait'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { buildWeb } from '../build'

export const WS = 'demo'
export const REPO = 'demo-org/demo-repo'
export const SCREENSHOTS = join(repoRoot, '.reports', 'screenshots')

/**
 * The real stack (services as processes, NATS, the GitHub emulator) serving a fresh build of the app. With
 * `host: 'localhost'` the app is opened (and BOSUN_PUBLIC_URL set) by host name: browsers refuse an IP address as
 * a passkey's relying party.
 */
export async function startWebStack(
  more: { services?: readonly ServiceName[]; env?: Record<string, string>; host?: 'localhost' } = {},
): Promise<Stack & { browser: Browser; webDir: string }> {
  const web = tempDir('bosun-web-')
  await buildWeb(web.path)
  const gatewayPort = more.host ? await freePort() : undefined
  const publicUrl = more.host ? `http://${more.host}:${gatewayPort}` : undefined
  const stack = await startStack({
    services: ['auth', 'workspace', 'dashboard', 'aica', 'webhooks', 'gateway', ...(more.services ?? [])],
    gatewayPort,
    env: {
      BOSUN_ADMIN_LOGINS: 'octo-admin',
      BOSUN_WEB_DIR: web.path,
      ...(publicUrl ? { BOSUN_PUBLIC_URL: publicUrl } : {}),
      ...more.env,
    },
  })
  await seedDemo(stack)
  const chrome = await launchChromium()
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    ...stack,
    publicUrl: publicUrl ?? stack.publicUrl,
    browser: chrome.browser,
    webDir: web.path,
    async stop() {
      await chrome.stop()
      await stack.stop()
      web[Symbol.dispose]()
    },
  }
}

/**
 * Debian's Chromium, headless, driven over CDP on a WebSocket. Playwright's own launch talks over a pipe, and
 * under Bun large messages on that pipe (screenshots) never arrive; the WebSocket carries them fine.
 */
export async function launchChromium() {
  const profile = tempDir('bosun-chromium-')
  const proc = Bun.spawn(
    [
      process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile.path}`,
      'about:blank',
    ],
    { stdout: 'ignore', stderr: 'pipe' },
  )
  const endpoint = await devtoolsEndpoint(proc.stderr)
  const browser = await chromium.connectOverCDP(endpoint)
  return {
    browser,
    async stop() {
      await browser.close()
      proc.kill()
      await proc.exited
      profile[Symbol.dispose]()
    },
  }
}

async function devtoolsEndpoint(stderr: ReadableStream<Uint8Array>) {
  const reader = stderr.getReader()
  const decoder = new TextDecoder()
  let seen = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`Chromium exited before it listened:\n${seen.slice(-2000)}`)
    seen += decoder.decode(value)
    const found = /DevTools listening on (ws:\/\/\S+)/.exec(seen)?.[1]
    if (!found) continue
    // Keep reading so Chromium never blocks on a full stderr pipe.
    void (async () => {
      while (!(await reader.read()).done);
    })()
    return found
  }
}

/** What `npm run dev` seeds: the demo workspace with octo-admin and octo-dev, the demo repository. */
async function seedDemo(stack: Stack) {
  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${stack.publicUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`seed ${method} ${path}: ${res.status} ${await res.text()}`)
  }
  await api('POST', '/api/workspaces', { id: WS, name: 'Demo team' })
  for (const login of ['octo-admin', 'octo-dev'])
    await api('POST', `/api/workspaces/${WS}/team-members`, { login })
  await api('POST', `/api/workspaces/${WS}/repositories`, { fullName: REPO, isDefaultForAgents: true })
  await api('POST', `/api/workspaces/${WS}/check-policies`, { name: 'ci', requiredChecks: ['build', 'test'] })
  await api('POST', `/api/workspaces/${WS}/author-records`, {
    login: 'octo-new',
    status: 'unknown',
    note: 'New contributor',
  })
}

/** Signs in the way a person does: /login, "Sign in with GitHub", pick the user on the emulator's page. */
export async function signIn(browser: Browser, base: string, login: string, next = '/prs') {
  const context = await newContext(browser, base)
  const page = await context.newPage()
  await page.goto(`/login?next=${encodeURIComponent(next)}`)
  await page.getByRole('link', { name: 'Sign in with GitHub' }).click()
  await page.getByRole('link', { name: login, exact: true }).click()
  await page.waitForURL((url) => url.origin === base && url.pathname === next.split('?')[0])
  return { context, page }
}

export type Signed = { context: BrowserContext; page: Page }

/** A fresh browser profile, under the page's real Content-Security-Policy (tests use locators, not eval). */
export const newContext = (browser: Browser, base: string) => browser.newContext({ baseURL: base })

/** axe-core on the page as it is: the serious and critical findings, each as one readable line. */
export async function axeFindings(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
}

/** The page's screenshot kept with the test reports, then its accessibility findings (expected: none). */
export async function checkPage(page: Page, name: string) {
  await screenshot(page, name)
  return axeFindings(page)
}

/** Saves the page as the test reports' screenshot of `name` (a page in the background paints no frames). */
export async function screenshot(page: Page, name: string) {
  await page.bringToFront()
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

/** True when the page scrolls sideways at its current width. */
export const scrollsSideways = (page: Page) =>
  page.evaluate(() => {
    // Typed by hand: this file is also compiled where the DOM's types are not loaded (tests/bench).
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement
    return root.scrollWidth > root.clientWidth
  })
