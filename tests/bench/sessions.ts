/**
 * Session detail benchmark, against the real stack and Debian's Chromium, with this process playing the runner
 * over the real relay socket (testkit's relay client): (1) the time from the runner sending an item to that item
 * painted on the session page (sent one at a time; the page stamps each new row in the frame it first paints),
 * p50 and p99 of 200; (2) a 5,000-item transcript: the longest main-thread task and the longest frame while
 * scrolling it from top to bottom. Clocks: both sides read the same machine's wall clock (Date.now()). It
 * reports, it does not assert. `bun tests/bench/sessions.ts`
 */
import type { ItemBody } from '@bosun/contracts/relay'
import { openRelay, takeWork } from '@bosun/testkit/relay-client'
import { signIn, startWebStack, WS } from '@bosun/web/test/harness'

/** What the page-side functions use of the browser, typed by hand (no DOM types here). */
type ScrollBox = { scrollTop: number; clientHeight: number; scrollHeight: number }
type PageGlobals = {
  __painted: Record<number, number>
  document: { querySelector(selector: string): ScrollBox }
  requestAnimationFrame(fn: (now: number) => void): void
  MutationObserver: new (
    fn: (records: Array<{ addedNodes: Iterable<{ dataset?: Record<string, string | undefined> }> }>) => void,
  ) => { observe(target: unknown, opts: Record<string, boolean>): void }
  PerformanceObserver: new (
    fn: (list: { getEntries(): Array<{ duration: number }> }) => void,
  ) => { observe(opts: { type: string }): void; disconnect(): void }
}

const LATENCY_ITEMS = 200
const LONG_TRANSCRIPT = 5000
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

const stack = await startWebStack()
try {
  const dev = await signIn(stack.browser, stack.publicUrl, 'octo-dev', '/issues')
  const dispatch = async (prompt: string) => {
    const res = await dev.context.request.post('/api/agent-sessions', { data: { workspace: WS, prompt } })
    const { thread } = (await res.json()) as { thread: { id: string; worktreeId: string } }
    let work = await takeWork(stack.natsUrl, 'normal')
    while (work && work.data.threadId !== thread.id) work = await takeWork(stack.natsUrl, 'normal')
    if (!work) throw new Error('no work message for the dispatched thread')
    const relay = await openRelay(stack.publicUrl, work.data.relayPath, { header: work.data.relayToken })
    relay.status(thread.id, 'running')
    return { thread, relay, url: `/agent-sessions/worktrees/${thread.worktreeId}/threads/${thread.id}` }
  }
  const { page } = dev

  // 1. Relay -> on screen, one item at a time.
  const a = await dispatch('Latency run')
  await page.goto(a.url)
  await page.getByRole('log', { name: 'Transcript' }).waitFor()
  // The page-side code is typed loosely: this project is compiled without the DOM's types. It runs as functions,
  // not strings, so the page's Content-Security-Policy (no eval) holds during the measurement too.
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals
    const painted: Record<number, number> = {}
    g.__painted = painted
    new g.MutationObserver((records) => {
      const fresh: number[] = []
      for (const r of records)
        for (const n of r.addedNodes) if (n.dataset?.seq) fresh.push(Number(n.dataset.seq))
      if (fresh.length)
        g.requestAnimationFrame(() => {
          const at = Date.now()
          for (const s of fresh) painted[s] ??= at
        })
    }).observe(g.document.querySelector('[role="log"]'), { childList: true, subtree: true })
  })
  const log = page.getByRole('log', { name: 'Transcript' })
  const latencies: number[] = []
  for (let i = 0; i < LATENCY_ITEMS; i++) {
    const sent = Date.now()
    const seq = await a.relay.item(a.thread.id, `lat-${i}`, {
      kind: 'assistant_text',
      text: `Item **${i}** of the run.`,
    })
    await log.locator(`[data-seq="${seq}"]`).waitFor({ state: 'attached' })
    // The stamp is taken in the frame after the row was added; wait for that frame.
    let painted: number | undefined
    while (painted === undefined)
      painted = await page.evaluate((s) => (globalThis as unknown as PageGlobals).__painted[s], seq)
    latencies.push(painted - sent)
  }
  console.log(
    `relay -> item on screen, ${LATENCY_ITEMS} items: p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms (target p50 <= 50 ms, p99 <= 250 ms)`,
  )

  // 2. A long transcript: a mix of text, tool calls with results and file changes, then scrolled end to end.
  const b = await dispatch('Long run')
  const body = (i: number): ItemBody => {
    switch (i % 4) {
      case 0:
        return {
          kind: 'assistant_text',
          text: `## Step ${i}\n\nSome *Markdown* with \`code\` and a [link](https://example.com).`,
        }
      case 1:
        return { kind: 'tool_call', callId: `c${i}`, tool: 'bash', input: { command: `echo ${i}` } }
      case 2:
        return { kind: 'tool_result', callId: `c${i - 1}`, output: `${i - 1}\n` }
      default:
        return {
          kind: 'file_change',
          path: `src/file-${i}.ts`,
          change: 'modified',
          diff: `--- a/src/file-${i}.ts\n+++ b/src/file-${i}.ts\n@@ -1,3 +1,3 @@\n const a = 1\n-const b = 2\n+const b = ${i}\n const c = 3\n`,
        }
    }
  }
  // In batches, each closed by waiting for its last ack, so the relay is not asked to hold thousands at once.
  let last = 0
  for (let i = 0; i < LONG_TRANSCRIPT; i++) {
    const frame = { v: 1, type: 'item', threadId: b.thread.id, key: `long-${i}`, body: body(i) } as const
    if (i % 100 === 99 || i === LONG_TRANSCRIPT - 1)
      last = await b.relay.item(b.thread.id, frame.key, frame.body)
    else b.relay.send(frame)
  }
  await page.goto(b.url)
  await log.locator(`[data-seq="${last}"]`).waitFor({ state: 'attached', timeout: 60_000 })
  const scroll = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals
    const el = g.document.querySelector('[role="log"]')
    const tasks: number[] = []
    const observer = new g.PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push(e.duration)
    })
    observer.observe({ type: 'longtask' })
    const frames: number[] = []
    el.scrollTop = 0
    let prev = performance.now()
    await new Promise<void>((done) => {
      const step = (now: number) => {
        frames.push(now - prev)
        prev = now
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return done()
        el.scrollTop += 600
        g.requestAnimationFrame(step)
      }
      g.requestAnimationFrame(step)
    })
    observer.disconnect()
    return { tasks, frames: frames.slice(1), height: el.scrollHeight }
  })
  const longest = scroll.tasks.length ? Math.max(...scroll.tasks) : 0
  console.log(
    `${LONG_TRANSCRIPT}-item transcript scrolled top to bottom (${scroll.frames.length} frames, ${(scroll.height / 1000).toFixed(0)}k px): longest main-thread task ${longest ? `${longest.toFixed(0)} ms` : 'none over 50 ms'}, ${scroll.tasks.length} long tasks, longest frame ${Math.max(...scroll.frames).toFixed(0)} ms, p99 frame ${pct(scroll.frames, 99).toFixed(0)} ms (target longest task <= 50 ms)`,
  )
  a.relay.close()
  b.relay.close()
} finally {
  await stack.stop()
}
