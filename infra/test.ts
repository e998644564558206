/**
 * `npm test`: typecheck the whole tree once, lint every package, run every package's tests (each writes a JUnit report),
 * then print the totals as one closing line `N passed, N failed` and exit non-zero on any failure.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const reports = join(root, '.reports')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })

type Case = { name: string; ok: boolean }
const cases: Case[] = []

const run = (args: string[]) => {
  const started = Date.now()
  const proc = Bun.spawnSync(args, { cwd: root, stdout: 'inherit', stderr: 'inherit', env: process.env })
  console.log(
    `\n[bosun] ${args.slice(0, 4).join(' ')} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  return proc.exitCode === 0
}

cases.push({ name: 'typecheck (the whole tree)', ok: run(['bun', 'infra/typecheck.ts']) })
cases.push({ name: 'lint (every package)', ok: run(['turbo', 'run', 'lint', '--continue']) })
run(['turbo', 'run', 'test', '--concurrency=1', '--continue'])

/** Packages that declare tests must leave a report; a run that crashed before writing one is a failure. */
const workspaces = ['packages', 'services', 'tests'].flatMap((dir) =>
  dir === 'tests' ? [join(root, 'tests')] : readdirSync(join(root, dir)).map((d) => join(root, dir, d)),
)
for (const ws of workspaces) {
  const pkgFile = join(ws, 'package.json')
  if (!existsSync(pkgFile)) continue
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }
  const out = pkg.scripts?.test?.match(/--reporter-outfile=(\S+)/)?.[1]
  if (!out) continue
  const file = join(ws, out)
  if (!existsSync(file)) {
    cases.push({ name: `${ws.slice(root.length + 1)}: test run left no report`, ok: false })
    continue
  }
  const xml = readFileSync(file, 'utf8')
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = m[1] ?? ''
    const name = attrs.match(/name="([^"]*)"/)?.[1] ?? '?'
    const body = m[3] ?? ''
    if (/<skipped/.test(body)) continue
    cases.push({ name: `${ws.slice(root.length + 1)}: ${name}`, ok: !/<(failure|error)\b/.test(body) })
  }
}

const failed = cases.filter((c) => !c.ok)
if (failed.length) {
  console.log('\nFailed:')
  for (const c of failed) console.log(`  ✗ ${c.name}`)
}
console.log(`\n${cases.length - failed.length} passed, ${failed.length} failed`)
process.exit(failed.length ? 1 : 0)
