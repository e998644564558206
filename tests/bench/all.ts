/**
 * Runs every benchmark, one after another (each in its own process, with its own bare baseline measured in the
 * same run), prints each one's output, then one table of every measured row. It reports, it does not assert.
 * `npm run bench [foundation|webhooks|dashboard|dashboard-scale|web|sessions|review ...]` (installs wrk first), or `bun tests/bench/all.ts ...`
 */
import { join } from 'node:path'

const BENCHES = ['foundation', 'webhooks', 'dashboard', 'dashboard-scale', 'web', 'sessions', 'review']
const chosen = process.argv.slice(2).filter((b) => BENCHES.includes(b))
const load = async () =>
  (
    await Bun.file('/proc/loadavg')
      .text()
      .catch(() => '?')
  )
    .split(' ')
    .slice(0, 3)
    .join(' ')

const rows: string[] = []
for (const bench of chosen.length ? chosen : BENCHES) {
  const loadBefore = await load()
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, `${bench}.ts`)], {
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const out = await new Response(proc.stdout).text()
  await proc.exited
  process.stdout.write(`\n===== ${bench} (load average ${loadBefore} -> ${await load()})\n${out}`)
  rows.push(`-- ${bench} (load average before: ${loadBefore})`)
  // The result rows of lib/load's report and the webhooks latency lines all carry a throughput; web's say target.
  for (const line of out.split('\n')) if (line.includes('req/s') || line.includes('target')) rows.push(line)
  if (proc.exitCode !== 0) rows.push(`   ${bench} exited with ${proc.exitCode}`)
}
console.log(`\n===== summary\n${rows.join('\n')}`)
// A row that failed (errors, unexpected non-2xx) or a bench that crashed makes the run fail.
process.exit(rows.some((r) => r.includes('FAILED') || r.includes('exited with')) ? 1 : 0)
