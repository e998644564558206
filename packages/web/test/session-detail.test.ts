import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { inertOutputScript } from '@bosun/testkit/model/scripts'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import type { Page } from 'playwright-core'
import { checkPage, type Signed, scrollsSideways, signIn, startWebStack, WS } from './harness'

setDefaultTimeout(60_000)
let stack: Awaited<ReturnType<typeof startWebStack>>
let model: ScriptedModel
let dev: Signed
let admin: Signed

beforeAll(async () => {
  model = await startScriptedModel({ scripts: [inertOutputScript] })
  // An idle thread keeps its runner slot (until BOSUN_RUNNER_IDLE_MS): room for the few this file keeps
  // idle at once; each test archives the threads it is done with.
  stack = await startWebStack({
    services: ['runner'],
    env: { BOSUN_MODEL_BASE_URL: model.url, BOSUN_RUNNER_CONCURRENCY: '5', BOSUN_AICA_CONCURRENCY: '8' },
  })
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

/** Frees the thread's slot once a test is done with it. */
async function archive(who: Signed, id: string) {
  const res = await who.context.request.post(`/api/agent-sessions/${id}/archive`)
  expect(res.status()).toBeLessThan(300)
}

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
    // The diff viewer is a chunk of its own, fetched once a diff is shown, hashed and cached for good.
    const chunk = page.waitForResponse((r) => /\/assets\/rich-diff-[a-z0-9]+\.js$/.test(r.url()), {
      timeout: 180_000,
    })
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
    // The diff viewer (its own chunk, loaded on first use): one added line, no empty extra one.
    const diff = log.getByRole('region', { name: 'Diff of notes.txt' })
    await diff.locator('.unified-diff-view .diff-line-content', { hasText: 'hello' }).waitFor()
    expect(await diff.locator('[data-operator="+"]').count()).toBe(1)
    expect((await chunk).headers()['cache-control']).toBe('public, max-age=31536000, immutable')
    await log.locator('.item-assistant', { hasText: 'Created' }).waitFor()
    // The turn changed the worktree: it waits for review.
    await timeline.locator('li[data-status="awaiting_review"]').waitFor()
    // Expanding the call shows its arguments and result.
    await call.locator('summary').click()
    await call.getByText('Arguments').waitFor()
    expect(await call.locator('pre').first().textContent()).toContain('notes.txt')
    // Split layout of the same diff.
    await log.getByRole('radio', { name: 'split' }).click()
    await diff.locator('.split-diff-view .diff-line-new-content', { hasText: 'hello' }).waitFor()
    expect(await canary(page)).toBe('untouched')
    expect(await checkPage(page, 'session-detail')).toEqual([])
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
    await archive(dev, t.id)
  }, 120_000)

  test('hostile file content is text in the diff viewer too', async () => {
    const { page } = dev
    const t = await dispatch(
      dev,
      'Create a file named evil.html that says <img src=x onerror=window.__pwned=4>.',
    )
    await page.goto(detailUrl(t))
    await plant(page)
    const diff = page
      .getByRole('log', { name: 'Transcript' })
      .getByRole('region', { name: 'Diff of evil.html' })
    await diff
      .locator('.unified-diff-view .diff-line-content', { hasText: '<img src=x onerror=window.__pwned=4>' })
      .waitFor({ timeout: 120_000 })
    expect(await diff.locator('img, script').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await canary(page)).toBe('untouched')
    await settled(dev, t.id, 'awaiting_review')
    await archive(dev, t.id)
  }, 180_000)

  test("someone else's team thread is read-only; their personal thread is the 404 page", async () => {
    const team = await dispatch(admin, 'Create a file named team.txt that says hi.', 'team')
    const personal = await dispatch(admin, 'Create a file named mine.txt that says hi.', 'personal')
    const { page } = dev
    await page.goto(detailUrl(team))
    await page.getByText("You are viewing octo-admin's team session (read-only).").waitFor()
    expect(await page.getByRole('form', { name: 'Composer' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Archive' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'New thread here' }).count()).toBe(0)
    expect(await checkPage(page, 'session-viewer')).toEqual([])
    await page.goto(detailUrl(personal))
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    expect(await page.getByText('octo-admin').count()).toBe(0)
    expect(await page.getByText('mine.txt').count()).toBe(0)
    expect(await checkPage(page, 'session-not-found')).toEqual([])
    await archive(admin, team.id)
    await archive(admin, personal.id)
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

describe('the session page acts on the thread', () => {
  test('Apply on a draft comment posts it; the link to the GitHub comment is there after a reload', async () => {
    const { page } = dev
    const t = await dispatch(dev, 'About #1: Draft a comment saying thanks for the report.')
    await page.goto(detailUrl(t))
    const draft = page.getByRole('log', { name: 'Transcript' }).locator('.item-draft')
    await draft.getByText('thanks for the report').waitFor({ timeout: 120_000 })
    await draft.getByRole('button', { name: 'Apply' }).click()
    const link = draft.getByRole('link', { name: 'Posted comment on GitHub' })
    await link.waitFor()
    const href = (await link.getAttribute('href')) ?? ''
    expect(href.startsWith(stack.github!.url)).toBe(true)
    const commentId = /#issuecomment-(\d+)$/.exec(href)?.[1]
    expect(commentId).toBeDefined()
    // The comment is on the emulator, as the App posted it.
    const posted = await fetch(`${stack.github!.url}/repos/demo-org/demo-repo/issues/comments/${commentId}`)
    expect(((await posted.json()) as { body: string }).body).toBe('thanks for the report')
    await page.reload()
    await draft.getByRole('link', { name: 'Posted comment on GitHub' }).waitFor()
    expect(await draft.getByRole('button', { name: 'Apply' }).count()).toBe(0)
    expect(await draft.getByRole('link').getAttribute('href')).toBe(href)
    await archive(dev, t.id)
  }, 180_000)

  test('Stop ends a running turn; Retry runs it again', async () => {
    const { page } = dev
    const t = await dispatch(dev, 'Run the command `sleep 20`')
    await page.goto(detailUrl(t))
    const status = page.locator('.session-header .status')
    await page.getByRole('log', { name: 'Transcript' }).locator('.item-tool', { hasText: 'sleep' }).waitFor({
      timeout: 120_000,
    })
    await page.getByRole('button', { name: 'Stop' }).click()
    await status.getByText('stopped', { exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0)
    await page.getByRole('button', { name: 'Retry' }).click()
    await status
      .filter({ hasText: /^(queued|starting|running)$/ })
      .waitFor()
      .catch(async (err) => {
        const { thread } = await apiThread(dev, t.id)
        throw new Error(`the page did not show the retry; the API has ${JSON.stringify(thread)}`, {
          cause: err,
        })
      })
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0)
    expect((await apiThread(dev, t.id)).thread.status).toMatch(/^(queued|starting|running)$/)
    // Stopped again, so the sleep does not hold the runner for the tests that follow.
    await page.getByRole('button', { name: 'Stop' }).click()
    await status.getByText('stopped', { exact: true }).waitFor()
  }, 180_000)

  test('the worktree panel: a new thread in this worktree, then a clone from its latest backup', async () => {
    const { page } = dev
    const t = await dispatch(dev, 'Create a file named panel.txt that says panel.')
    await settled(dev, t.id, 'awaiting_review')
    await page.goto(detailUrl(t))
    await page.getByLabel('Prompt for a new thread here').fill('Run the command `cat panel.txt`')
    await page.getByRole('button', { name: 'New thread here' }).click()
    await page.waitForURL(
      (u) =>
        u.pathname.startsWith(`/agent-sessions/worktrees/${t.worktreeId}/threads/`) &&
        !u.pathname.endsWith(t.id),
    )
    const log = page.getByRole('log', { name: 'Transcript' })
    await log.locator('.item-user', { hasText: 'cat panel.txt' }).waitFor()
    const threads = page.getByRole('list', { name: 'Threads in this worktree' })
    await threads.getByRole('link', { name: 'Create a file named panel.txt' }).waitFor()
    await threads.getByRole('link', { name: 'Run the command `cat panel.txt`' }).waitFor()
    const attached = page.url().split('/threads/')[1]!
    await settled(dev, attached, 'idle')
    await archive(dev, attached)

    // The backup is taken after each turn; the panel offers the clone once it is there.
    await page.goto(detailUrl(t))
    await page
      .getByLabel('Prompt for a clone')
      .fill('Run the command `cat panel.txt && git status --porcelain`')
    await page.getByRole('button', { name: 'Clone from the latest backup' }).click()
    await page.waitForURL(
      (u) => /\/worktrees\/wt_\w+\/threads\//.test(u.pathname) && !u.pathname.includes(t.worktreeId),
    )
    const call = log.locator('.item-tool', { hasText: 'cat panel.txt' })
    await call.waitFor({ timeout: 120_000 })
    await call.locator('summary').click()
    // The clone holds the file, uncommitted, as the backup carried it.
    const result = call.locator('pre[data-seq]')
    await result.waitFor({ timeout: 60_000 })
    expect(await result.textContent()).toMatch(/^panel\n[\s\S]*\?\? panel\.txt/)
    expect(await page.getByRole('heading', { name: /^demo-org\/demo-repo@bosun\/wt_/ }).count()).toBe(1)
    await archive(dev, page.url().split('/threads/')[1]!)
    await archive(dev, t.id)
  }, 240_000)

  test('personal <-> team: a teammate opens it read-only while shared, and gets the 404 page once personal', async () => {
    const { page } = dev
    const t = await dispatch(dev, 'Create a file named shared.txt that says shared.')
    await page.goto(detailUrl(t))
    await page.getByRole('button', { name: 'Share with the team' }).click()
    await page.getByRole('button', { name: 'Make personal' }).waitFor()
    await admin.page.goto(detailUrl(t))
    await admin.page.getByText("You are viewing octo-dev's team session (read-only).").waitFor()
    await page.getByRole('button', { name: 'Make personal' }).click()
    await page.getByRole('button', { name: 'Share with the team' }).waitFor()
    expect((await apiThread(dev, t.id)).thread).toMatchObject({ visibility: 'personal' })
    await admin.page.reload()
    await admin.page.getByRole('heading', { name: 'Page not found' }).waitFor()
    await page.reload()
    await page.getByRole('button', { name: 'Share with the team' }).waitFor()
    await archive(dev, t.id)
  }, 120_000)
})
