/**
 * Web app benchmark, against the real stack and Debian's Chromium: the JavaScript and CSS of the first page
 * (gzipped, as served), the API calls made before the PR rows are on screen, and the time from navigation to
 * PR rows visible on a warm cache (p50 of 20 loads) beside the p50 of a static page of the same size served by
 * the same gateway in the same run. It reports, it does not assert. `bun tests/bench/web.ts`
 */
import { copyFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { signIn, startWebStack } from '@bosun/web/test/harness'
import type { Page } from 'playwright-core'

const LOADS = 20
const stack = await startWebStack()
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

try {
  const { page } = await signIn(stack.browser, stack.publicUrl, 'octo-admin')
  const rows = (p: Page) => p.getByText('Validate the password field').waitFor()
  await rows(page)

  // 1. What the first page downloads, as the gateway serves it.
  const shell = await (await fetch(`${stack.publicUrl}/prs`)).text()
  const assets = [...shell.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)
  let gzipped = 0
  for (const a of assets) {
    const res = await fetch(`${stack.publicUrl}${a}`, {
      headers: { 'accept-encoding': 'gzip' },
      decompress: false,
    } as RequestInit)
    gzipped += (await res.arrayBuffer()).byteLength
  }
  console.log(
    `first-page JS + CSS, gzipped: ${(gzipped / 1024).toFixed(1)} KB (${assets.length} files; target <= 200 KB)`,
  )

  // 2. API calls from navigation until the PR rows show.
  const calls: string[] = []
  const onRequest = (r: { url(): string }) => {
    const u = new URL(r.url())
    if (u.pathname.startsWith('/api/')) calls.push(u.pathname)
  }
  page.on('request', onRequest)
  await page.goto('/prs')
  await rows(page)
  page.off('request', onRequest)
  console.log(`API calls before PR rows are visible: ${calls.length} (${calls.join(', ')}; target <= 3)`)

  // 3. Warm loads: navigation to PR rows visible, against a static page of the same size from the same gateway.
  const time = async (path: string, visible: (p: Page) => Promise<unknown>) => {
    const started = performance.now()
    await page.goto(path)
    await visible(page)
    return performance.now() - started
  }
  await time('/prs', rows)
  const app: number[] = []
  for (let i = 0; i < LOADS; i++) app.push(await time('/prs', rows))

  const built = join(stack.webDir, 'assets')
  const size =
    statSync(join(stack.webDir, 'index.html')).size +
    readdirSync(built)
      .filter((f) => !f.endsWith('.gz'))
      .reduce((n, f) => n + statSync(join(built, f)).size, 0)
  const index = join(stack.webDir, 'index.html')
  copyFileSync(index, `${index}.app`)
  const head = '<!doctype html><meta charset="utf-8"><title>static</title><p id="marker">static page</p><pre>'
  writeFileSync(index, `${head}${'x'.repeat(Math.max(0, size - head.length - 6))}</pre>`)
  const staticTimes: number[] = []
  try {
    await time('/static', (p) => p.locator('#marker').waitFor())
    for (let i = 0; i < LOADS; i++)
      staticTimes.push(await time('/static', (p) => p.locator('#marker').waitFor()))
  } finally {
    copyFileSync(`${index}.app`, index)
  }
  const a = p50(app)
  const s = p50(staticTimes)
  console.log(
    `navigation -> PR rows visible, warm, p50 of ${LOADS}: ${a.toFixed(0)} ms; static page of the same size (${(size / 1024).toFixed(0)} KB): ${s.toFixed(0)} ms; ratio ${(a / s).toFixed(2)}x (target <= 3x)`,
  )
} finally {
  await stack.stop()
}
