/**
 * `npm test`: typecheck the whole tree, lint every package, and run every test FILE as its own `bun test` process,
 * a few at a time (BOSUN_TEST_JOBS, default cores + 1 capped at 6), longest first by the last run's timings.
 * Each file writes a JUnit report to `.reports/<workspace>-<file>.xml`; the closing line `N passed, N failed`
 * sums them, with typecheck and lint counted as one test each, and the exit code is non-zero on any failure.
 * Files run concurrently: their suites use random ports and temp dirs, and never a shared fixed resource.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative } from 'node:path'

const root = join(import.meta.dir, '..')
const reports = join(root, '.reports')
/** Seconds each file took last time (git-ignored), so the longest start first and none is left to run alone. */
const timingsFile = join(root, 'node_modules', '.cache', 'bosun', 'test-times.json')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })

const jobs = Number(process.env.BOSUN_TEST_JOBS) || Math.min(availableParallelism() + 1, 6)
/** A file whose process outlives this is killed and counted failed, so a hang cannot stall the whole run. */
const fileTimeoutMs = Number(process.env.BOSUN_TEST_FILE_TIMEOUT_MS) || 15 * 60_000
/**
 * The services' fixed waits, shortened for tests (production keeps its defaults): a stopping runner gives its
 * threads a moment to report before it exits.
 */
const testEnv = {
  ...process.env,
  BOSUN_RUNNER_STOP_GRACE_MS: process.env.BOSUN_RUNNER_STOP_GRACE_MS ?? '1000',
}

type Case = { name: string; ok: boolean }
type Job = { label: string; file: boolean; weight: number; run(): Promise<Case[]> }

const readTimings = (file: string): Record<string, number> => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return {}
  }
}
/** A fresh clone has no timings of its own: it starts from those of a measured run, committed beside this file. */
const timings = { ...readTimings(join(import.meta.dir, 'test-times.json')), ...readTimings(timingsFile) }
const took: Record<string, number> = {}

const spawn = async (args: string[], cwd: string, log: string) => {
  const started = Date.now()
  const proc = Bun.spawn(args, { cwd, env: testEnv, stdout: 'pipe', stderr: 'pipe' })
  const timer = setTimeout(() => proc.kill(9), fileTimeoutMs)
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  const code = await proc.exited
  clearTimeout(timer)
  writeFileSync(log, out + err)
  return { code, seconds: (Date.now() - started) / 1000, output: out + err }
}

const tail = (text: string, lines = 80) => text.trimEnd().split('\n').slice(-lines).join('\n')

const tool = (label: string, args: string[], weight: number): Job => ({
  label,
  file: false,
  weight,
  async run() {
    const { code, seconds, output } = await spawn(args, root, join(reports, `${label.split(' ')[0]}.log`))
    took[label] = seconds
    const ok = code === 0
    console.log(`${ok ? '✓' : '✗'} ${label} ${seconds.toFixed(1)} s`)
    if (!ok) console.log(tail(output))
    return [{ name: label, ok }]
  },
})

/** Every workspace with a test script, and the test files bun would find in it. */
const workspaces = ['packages', 'services']
  .flatMap((dir) => readdirSync(join(root, dir)).map((d) => join(root, dir, d)))
  .concat(join(root, 'tests'))
  .filter((ws) => {
    const pkgFile = join(ws, 'package.json')
    if (!existsSync(pkgFile)) return false
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }
    return Boolean(pkg.scripts?.test)
  })
const testGlob = new Bun.Glob('**/*{.test,_test,.spec,_spec}.{ts,tsx,js,jsx}')

const fileJob = (ws: string, file: string): Job => {
  const wsName = ws === join(root, 'tests') ? 'tests' : (ws.split('/').pop() ?? ws)
  const label = `${relative(root, ws)}/${file}`
  const report = join(reports, `${wsName}-${file.replace(/\.[jt]sx?$/, '').replaceAll('/', '-')}.xml`)
  return {
    label,
    file: true,
    // Unknown files (new ones) go first: they may be long, and a short one first costs little.
    weight: timings[label] ?? 1e6,
    async run() {
      const args = [
        'bun',
        'test',
        '--timeout=60000',
        '--reporter=junit',
        `--reporter-outfile=${report}`,
        `./${file}`,
      ]
      const { code, seconds, output } = await spawn(args, ws, report.replace(/\.xml$/, '.log'))
      took[label] = seconds
      const cases = existsSync(report) ? readCases(readFileSync(report, 'utf8'), label) : []
      const failed = cases.filter((c) => !c.ok).length
      // A process that failed outside any test (a crash, a throwing afterAll, a missing report) fails the file.
      if (code !== 0 && failed === 0) cases.push({ name: `${label}: exited with code ${code}`, ok: false })
      const ok = cases.every((c) => c.ok)
      console.log(
        `${ok ? '✓' : '✗'} ${label} ${seconds.toFixed(1)} s (${cases.length - failed} passed, ${failed} failed)`,
      )
      if (!ok) console.log(tail(output))
      return cases
    },
  }
}

function readCases(xml: string, label: string): Case[] {
  const cases: Case[] = []
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = m[1] ?? ''
    const name = attrs.match(/name="([^"]*)"/)?.[1] ?? '?'
    const body = m[3] ?? ''
    if (/<skipped/.test(body)) continue
    cases.push({ name: `${label}: ${name}`, ok: !/<(failure|error)\b/.test(body) })
  }
  return cases
}

/** `npm test -- runner/test e2e/fuzz`: only the files whose path holds one of these, without typecheck and lint. */
const only = process.argv.slice(2)
const all: Job[] = [
  // Incremental: the build info lives under node_modules/.cache (git-ignored); a warm run checks only what changed.
  tool(
    'typecheck (the whole tree)',
    ['bun', 'infra/typecheck.ts'],
    timings['typecheck (the whole tree)'] ?? 1e6,
  ),
  tool(
    'lint (every package)',
    ['turbo', 'run', 'lint', '--continue'],
    timings['lint (every package)'] ?? 1e6,
  ),
  ...workspaces.flatMap((ws) =>
    [...testGlob.scanSync({ cwd: ws })]
      .filter((f) => !f.split('/').includes('node_modules'))
      .sort()
      .map((f) => fileJob(ws, f)),
  ),
]
const queue = all
  .filter((j) => only.length === 0 || (j.file && only.some((o) => j.label.includes(o))))
  .sort((a, b) => b.weight - a.weight)

const started = Date.now()
console.log(`[bosun] ${queue.length} jobs, ${jobs} at a time`)
const cases: Case[] = []
await Promise.all(
  Array.from({ length: jobs }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) cases.push(...(await job.run()))
  }),
)

mkdirSync(join(timingsFile, '..'), { recursive: true })
writeFileSync(timingsFile, JSON.stringify({ ...timings, ...took }, null, 1))

const failed = cases.filter((c) => !c.ok)
if (failed.length) {
  console.log('\nFailed:')
  for (const c of failed) console.log(`  ✗ ${c.name}`)
}
console.log(`\n[bosun] ${((Date.now() - started) / 1000).toFixed(0)} s with ${jobs} jobs`)
console.log(`\n${cases.length - failed.length} passed, ${failed.length} failed`)
process.exit(failed.length ? 1 : 0)
