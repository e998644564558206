import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type Result = {
  name: string
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  /** With a baseline: the median of the rounds' ratios to it, and the baseline's throughput in that round. */
  ratio?: number
  baselineRps?: number
  /** Non-2xx answers the path promises under this load (an overload's 503s); any other non-2xx fails the row. */
  non2xxAllowed?: string
}
export type Load = {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  /** For POST: a body per request, `{n}` replaced by a number unique within the run. */
  bodyTemplate?: string
  /** Headers set per request, `{n}` replaced as in the body (e.g. a delivery id). */
  headerTemplates?: Record<string, string>
  connections?: number
  seconds?: number
  /** The status each request must get; one request is sent and checked before the load (default 200). */
  status?: number
  /** Non-2xx answers this load is promised (say why), e.g. an overload's 503s. */
  non2xxAllowed?: string
}

/**
 * wrk, always (a C load generator: it leaves the CPU to the servers under test, which matters on two cores);
 * `npm run bench` installs it. Before the load one request is sent and its status checked. A warm-up run of the same load first, not counted; then several rounds, and the median
 * round is kept. With `against` (the bare baseline), the
 * baseline is measured before the first round and after every round, each time after a pause that lets the
 * servers finish what the last load left them; a round's ratio is to the mean of the baseline rounds on either
 * side of it, and the median ratio is kept. This machine's speed drifts by a factor of two within minutes; a
 * ratio between neighbouring rounds drifts far less.
 */
export async function measure(
  name: string,
  load: Load,
  opts: { rounds?: number; against?: Load; warmupSeconds?: number } = {},
): Promise<Result> {
  requireWrk()
  await probe(name, load)
  const once = (l: Load, label: string, i: number) => runWrk(label, l, i)
  const baseline = async (i: number) => {
    if (!opts.against) return undefined
    await Bun.sleep(SETTLE_MS)
    return (await once(opts.against, 'baseline', i)).rps
  }
  // A service's first seconds of load run its JavaScript before the JIT has compiled it; that round measures the
  // compiler, not the steady state the bare server (native code) is in from its first request.
  await once({ ...load, seconds: opts.warmupSeconds ?? WARMUP_SECONDS }, `${name} (warm-up)`, -1)
  const results: Result[] = []
  let before = await baseline(0)
  for (let i = 0; i < (opts.rounds ?? 3); i++) {
    const result = await once(load, name, i)
    const after = await baseline(i + 1)
    const bare = before === undefined || after === undefined ? undefined : (before + after) / 2
    results.push(bare ? { ...result, ratio: result.rps / bare, baselineRps: bare } : result)
    before = after
  }
  results.sort((a, b) => (a.ratio ?? a.rps) - (b.ratio ?? b.rps))
  const median = results[Math.floor(results.length / 2)]!
  // A round's failures must not hide behind a median: the row carries every round's.
  return {
    ...median,
    errors: results.reduce((n, r) => n + r.errors, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    non2xxAllowed: load.non2xxAllowed,
  }
}

/** Every bench uses wrk, so figures from any two machines come from the same generator. */
function requireWrk() {
  if (Bun.which('wrk')) return
  throw new Error(
    'wrk is not installed: run `npm run bench` (it installs the Debian package), or apt-get install wrk',
  )
}

/** One request of the load, answered with the status the path promises, or the bench stops here. */
async function probe(name: string, load: Load) {
  const n = `probe-${RUN}`
  const headers = { ...load.headers }
  for (const [k, v] of Object.entries(load.headerTemplates ?? {})) headers[k] = v.replace('{n}', n)
  const res = await fetch(load.url, {
    method: load.method ?? 'GET',
    headers,
    body: load.bodyTemplate?.replace('{n}', n),
  })
  const expected = load.status ?? 200
  if (res.status !== expected)
    throw new Error(`${name}: the probe request got ${res.status}, expected ${expected}: ${await res.text()}`)
}

/** Unique per bench process, so request bodies and ids never repeat those of an earlier run on the same stack. */
const RUN = Bun.randomUUIDv7().slice(-12)

const WARMUP_SECONDS = 5
/** A pause before each baseline round: the relay and the WAL sync of a write load run on after it. */
const SETTLE_MS = 1500

const ms = (v: string) => {
  const m = v.match(/^([\d.]+)(us|ms|s)$/)
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n
}

async function runWrk(name: string, load: Load, round: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-wrk-'))
  const script = join(dir, 'request.lua')
  const headers = Object.entries(load.headers ?? {})
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join('\n')
  const perRequest = Object.entries(load.headerTemplates ?? {})
    .map(([k, v]) => `  h[${JSON.stringify(k)}] = string.gsub(${JSON.stringify(v)}, "{n}", id)`)
    .join('\n')
  // A body without {n} is sent as it is: scanning 25 KB per request costs wrk CPU that the server under test needs.
  const perBody = load.bodyTemplate?.includes('{n}') ? 'string.gsub(template, "{n}", id)' : 'template'
  const body = load.bodyTemplate
    ? `local n = 0\nlocal template = ${JSON.stringify(load.bodyTemplate)}\nrequest = function()\n  n = n + 1\n  local id = "${RUN}-r${round}-" .. n\n  local body = ${perBody}\n  local h = {}\n  for k, v in pairs(wrk.headers) do h[k] = v end\n${perRequest}\n  return wrk.format(${JSON.stringify(load.method ?? 'POST')}, nil, h, body)\nend`
    : `wrk.method = ${JSON.stringify(load.method ?? 'GET')}`
  writeFileSync(script, `${headers}\n${body}\n`)
  const proc = Bun.spawnSync([
    'wrk',
    '-t1',
    `-c${load.connections ?? 50}`,
    `-d${load.seconds ?? 3}s`,
    '--latency',
    '-s',
    script,
    load.url,
  ])
  const out = String(proc.stdout)
  const pct = (p: string) => ms(out.match(new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`))?.[1] ?? '')
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0)
  const errors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
  return {
    name,
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0),
    p50: pct('50'),
    p99: pct('99'),
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx,
  }
}

/** Starts the bare Bun.serve baseline in its own process; returns its URL and a stop function. */
export async function startBare(): Promise<{ url: string; stop(): void }> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, 'bare.ts')], { stdout: 'pipe' })
  const reader = proc.stdout.getReader()
  const { value } = await reader.read()
  const port = Number(new TextDecoder().decode(value).trim())
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.kill() }
}

/** A row passes only with no socket errors and no non-2xx answer its path does not promise. */
export function failure(r: Result): string | undefined {
  if (r.errors > 0) return `${r.errors} socket errors`
  if (r.non2xx > 0 && !r.non2xxAllowed) return `${r.non2xx} unexpected non-2xx answers`
  return undefined
}

/** Prints each row with the baseline round it was paired with, its ratio and whether it meets its target. */
export function report(rows: Array<{ result: Result; target: number }>) {
  const num = (v: number, w: number) => v.toFixed(0).padStart(w)
  console.log(
    "\nload generator: wrk, 50 connections unless named, rounds of 3 s; each round's ratio is to the " +
      'bare Bun.serve GET JSON rounds measured just before and after it (their mean is shown); the median is kept',
  )
  for (const { result: r, target } of rows) {
    const ratio = r.ratio ?? 0
    const failed = failure(r)
    const verdict = failed ? `FAILED (${failed})` : ratio >= target ? 'met' : 'MISSED'
    console.log(
      `${r.name.padEnd(34)} ${num(r.rps, 8)} req/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  ` +
        `bare ${num(r.baselineRps ?? 0, 6)} req/s  ratio ${ratio.toFixed(3)}  ≥ ${target.toFixed(3)}  ${verdict}  ` +
        `errors=${r.errors} non2xx=${r.non2xx}`,
    )
  }
}
