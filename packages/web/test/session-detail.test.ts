import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { inertOutputScript } from '@bosun/testkit/model/scripts'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import type { Page } from 'playwright-core'
import { axeFindings, type Signed, screenshot, scrollsSideways, signIn, startWebStack, WS } from './harness'

setDefaultTimeout(60_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let model: ScriptedModel
let dev: Signed
let admin: Signed

beforeAll(async () => {
  model = await startScriptedModel({ scripts: [inertOutputScript] })
  stack = await startWebStack({ services: ['runner'], env: { BOSUN_MODEL_BASE_URL: model.url } })
  dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev', '/issues')
  admin = await signIn(stack.browser, stack.publicUrl, 'octo-admin', '/issues')
}, 180_000)
afterAll(async () => {
  await stack?.stop()
  await model?.stop()
})

type ThreadView = { id: string; worktreeId: string; status: string; lastSeq: number }

/** Dispatches as the signed-in person, with their own cookie, the way the new-session form does. */
async function dispatch(who: Signed, prompt: string, visibility: 'personal' | 'team' = 'personal') {
  const res = await who.context.request.post('/api/agent-sessions', {
    data: { workspace: WS, prompt, visibility },
  })
  expect(res.status()).toBe(201)
  return ((await res.json()) as { thread: ThreadView }).thread
}

const detailUrl = (t: { worktreeId: string; id: string }) =>
  `/agent-sessions/worktrees/${t.worktreeId}/threads/${t.id}`

async function apiThread(who: Signed, id: string) {
  const res = await who.context.request.get(`/api/agent-sessions/${id}?limit=1000`)
  return (await res.json()) as { thread: ThreadView; items: Array<{ seq: number }> }
}

/** Waits (on the API's answer, not on time) until the thread settles in `status` past `afterSeq`. */
async function settled(who: Signed, id: string, status: string, afterSeq = 0) {
  for (;;) {
    const { thread } = await apiThread(who, id)
    if (thread.status === status && thread.lastSeq > afterSeq) return thread
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Every item seq the transcript renders, read by scrolling it top to bottom; a seq seen twice at once is a duplicate. */
const seqsOnScreen = (page: Page) =>
  page.evaluate(async () => {
    const log = document.querySelector<HTMLElement>('[role="log"]')!
    const seen = new Set<number>()
    const dupes: number[] = []
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
    log.scrollTop = 0
    for (;;) {
      await frame()
      const now = [...log.querySelectorAll<HTMLElement>('[data-seq]')].map((e) => Number(e.dataset.seq))
      if (new Set(now).size !== now.length) dupes.push(...now)
      for (const s of now) seen.add(s)
      if (log.scrollTop + log.clientHeight >= log.scrollHeight - 1) break
      log.scrollTop += log.clientHeight / 2
    }
    return { seqs: [...seen].sort((a, b) => a - b), dupes }
  })

const canary = (page: Page) => page.evaluate(() => (window as unknown as { __canary?: string }).__canary)
const plant = (page: Page) =>
  page.evaluate(() => {
    ;(window as unknown as { __canary?: string }).__canary = 'untouched'
  })

describe('the session detail page', () => {
  let demo: ThreadView

  test('the demo prompt: queued -> running, the write call, the diff of notes.txt and the answer, live', async () => {
    const { page } = dev
    demo = await dispatch(dev, 'Create a file named notes.txt that says hello.')
    await page.goto(detailUrl(demo))
    await page.getByRole('heading', { name: 'demo-org/demo-repo@' }).waitFor()
    await plant(page)
    const timeline = page.getByRole('list', { name: 'Status timeline' })
    await timeline.locator('li[data-status="queued"]').waitFor()
    await timeline.locator('li[data-status="running"]').waitFor({ timeout: 120_000 })
    const log = page.getByRole('log', { name: 'Transcript' })
    const call = log.locator('.item-tool', { hasText: 'write' })
    await call.waitFor({ timeout: 120_000 })
    await log.getByText('notes.txt', { exact: true }).first().waitFor()
    await log.locator('tr.diff-add', { hasText: 'hello' }).waitFor()
    await log.locator('.item-assistant', { hasText: 'Created' }).waitFor()
    // The turn changed the worktree: it waits for review.
    await timeline.locator('li[data-status="awaiting_review"]').waitFor()
    // Expanding the call shows its arguments and result.
    await call.locator('summary').click()
    await call.getByText('Arguments').waitFor()
    expect(await call.locator('pre').first().textContent()).toContain('notes.txt')
    // Split layout of the same diff.
    await log.getByRole('radio', { name: 'split' }).click()
    await log.locator('td.diff-add', { hasText: 'hello' }).waitFor()
    expect(await canary(page)).toBe('untouched')
    await screenshot(page, 'session-detail')
    expect(await axeFindings(page)).toEqual([])
  }, 180_000)

  test('offline during a run, back online: the transcript catches up with no gap and no duplicate', async () => {
    const { page, context } = dev
    const before = (await apiThread(dev, demo.id)).thread.lastSeq
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    await page.evaluate(() =>
      (window as unknown as { __bosunThreadSocket: { drop(): void } }).__bosunThreadSocket.drop(),
    )
    await page.getByText('Reconnecting…').waitFor()
    const res = await context.request.post(`/api/agent-sessions/${demo.id}/request-changes`, {
      data: { comment: 'Run the command `echo resumed`' },
    })
    expect(res.status()).toBe(200)
    const after = await settled(dev, demo.id, 'idle', before + 2)
    const log = page.getByRole('log', { name: 'Transcript' })
    // Offline, the page has not seen the new items: what follows is the resume's doing.
    expect(await log.locator(`[data-seq="${after.lastSeq}"]`).count()).toBe(0)
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    await log.locator(`[data-seq="${after.lastSeq}"]`).waitFor({ state: 'attached', timeout: 30_000 })
    const api = (await apiThread(dev, demo.id)).items.map((i) => i.seq)
    const screen = await seqsOnScreen(page)
    expect(screen.dupes).toEqual([])
    expect(screen.seqs).toEqual(api)
    expect(api).toEqual(Array.from({ length: api.length }, (_, i) => i + 1))
    expect(await canary(page)).toBe('untouched')
  }, 120_000)

  test('hostile agent output stays inert text and the page stays usable', async () => {
    const { page } = dev
    const t = await dispatch(dev, 'Show the hostile answer.')
    await page.goto(detailUrl(t))
    await plant(page)
    const answer = page.getByRole('log', { name: 'Transcript' }).locator('.item-assistant')
    await answer.getByText('<img src=x onerror=', { exact: false }).waitFor({ timeout: 120_000 })
    await answer.getByText('END', { exact: false }).waitFor()
    expect(await answer.locator('img, script').count()).toBe(0)
    // The javascript: link is text; the http image is at most a link to it, never loaded.
    expect(await answer.getByRole('link', { name: 'click me' }).count()).toBe(0)
    expect(await answer.locator('a[href^="javascript" i]').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await canary(page)).toBe('untouched')
    expect(await scrollsSideways(page)).toBe(false)
    await page.getByLabel('Prompt', { exact: true }).fill('still usable')
    expect(await page.getByRole('button', { name: 'Send' }).isEnabled()).toBe(true)
  }, 120_000)

  test("someone else's team thread is read-only; their personal thread is the 404 page", async () => {
    const team = await dispatch(admin, 'Create a file named team.txt that says hi.', 'team')
    const personal = await dispatch(admin, 'Create a file named mine.txt that says hi.', 'personal')
    const { page } = dev
    await page.goto(detailUrl(team))
    await page.getByText("You are viewing octo-admin's team session (read-only).").waitFor()
    expect(await page.getByRole('form', { name: 'Composer' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Archive' }).count()).toBe(0)
    await page.goto(detailUrl(personal))
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    expect(await page.getByText('octo-admin').count()).toBe(0)
    expect(await page.getByText('mine.txt').count()).toBe(0)
  })

  test('composer, visibility, fork and archive act on the thread and show their result', async () => {
    const { page } = dev
    await page.goto(detailUrl(demo))
    const log = page.getByRole('log', { name: 'Transcript' })
    const before = (await apiThread(dev, demo.id)).thread.lastSeq
    await page.getByLabel('Prompt', { exact: true }).fill('Run the command `echo again`')
    await page.getByRole('button', { name: 'Send' }).click()
    await log.locator('.item-user', { hasText: 'echo again' }).waitFor()
    await page.getByRole('button', { name: 'Share with the team' }).click()
    await page.getByRole('button', { name: 'Make personal' }).waitFor()
    expect((await apiThread(dev, demo.id)).thread).toMatchObject({ visibility: 'team' })
    const after = await settled(dev, demo.id, 'idle', before + 2)
    await log.locator(`[data-seq="${after.lastSeq}"]`).waitFor({ state: 'attached' })
    // The transcript is virtualized and follows the end: the early items are rendered once scrolled to.
    await log.evaluate((el) => {
      el.scrollTop = 0
    })
    await page.getByRole('button', { name: 'Fork here, after item 2', exact: true }).click()
    await page.waitForURL((u) => u.pathname.includes('/threads/') && !u.pathname.endsWith(demo.id))
    const forkId = page.url().split('/threads/')[1]!
    await page.getByRole('button', { name: 'Archive' }).click()
    await page.getByRole('list', { name: 'Status timeline' }).locator('li[data-status="archived"]').waitFor()
    expect((await apiThread(dev, forkId)).thread.status).toBe('archived')
  }, 120_000)
})
