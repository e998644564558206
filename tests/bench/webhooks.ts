/**
 * Webhook ingress benchmark: in one run, bare Bun.serve GET JSON against signed ~25 KB GitHub deliveries
 * (each a new delivery id, so each is recorded and published) at 50 connections, at 1 connection (latency)
 * and at 500 (overload), median of 3 rounds (at 50, each paired with a bare round). It reports, it does not
 * assert. `bun tests/bench/webhooks.ts`
 */
import { startStack } from '@bosun/testkit/stack'
import examples from '@octokit/webhooks-examples'
import { sign } from '@octokit/webhooks-methods'
import { measure, type Result, report, startBare } from './lib/load'

const SECRET = 'bench-secret'
const TARGET_BYTES = 25_000

// The real payload closest to 25 KB (a pull_request event, in the current examples).
const payloads = examples.flatMap((g) => g.examples.map((p) => ({ event: g.name, body: JSON.stringify(p) })))
const sample = payloads.reduce((best, p) =>
  Math.abs(p.body.length - TARGET_BYTES) < Math.abs(best.body.length - TARGET_BYTES) ? p : best,
)
const signature = await sign(SECRET, sample.body)

const stack = await startStack({
  services: ['webhooks'],
  github: false,
  webhookSecret: SECRET,
  env: { LOG_LEVEL: 'warn' },
})
const bare = await startBare()
try {
  const url = `${stack.services.webhooks!.url}/api/webhooks/github`
  const delivery = (label: string, connections: number, against?: { url: string }) =>
    measure(
      `webhooks POST c=${connections}`,
      {
        url,
        method: 'POST',
        connections,
        headers: {
          'content-type': 'application/json',
          'x-github-event': sample.event,
          'x-hub-signature-256': signature,
          'user-agent': 'GitHub-Hookshot/bench',
        },
        headerTemplates: { 'x-github-delivery': `${label}-{n}` },
        bodyTemplate: sample.body,
      },
      { against },
    )

  console.log(`payload: ${sample.event}, ${sample.body.length} bytes`)
  const c50 = await delivery('c50', 50, { url: bare.url })
  const c1 = await delivery('c1', 1)
  const overload = await delivery('c500', 500)
  report([{ result: c50, target: 0.05 }])
  const latency = (r: Result, limitMs: number, what: string) =>
    console.log(
      `${r.name.padEnd(34)} p99 ${r.p99.toFixed(2)} ms (${what} ${limitMs} ms): ${r.p99 <= limitMs ? 'met' : 'MISSED'}  ` +
        `${r.rps.toFixed(0)} req/s  errors=${r.errors} non2xx=${r.non2xx}`,
    )
  latency(c1, 10, 'target ≤')
  latency(overload, 1000, 'target <')
  console.log(
    '(non-2xx under overload are 503s from BOSUN_WEBHOOKS_MAX_IN_FLIGHT: refused at once, to be redelivered)',
  )
} finally {
  bare.stop()
  await stack.stop()
}
