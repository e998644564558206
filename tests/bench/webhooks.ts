/**
 * Webhook ingress benchmark: in one run, bare Bun.serve GET JSON against signed ~25 KB GitHub deliveries
 * (each a new delivery id, so each is recorded and published) at 50 connections, at 1 connection (latency)
 * and at 500 (overload), median of 3 rounds (at 50, each paired with a bare round). It reports, it does not
 * assert. `bun tests/bench/webhooks.ts`
 */
import { startStack } from '@bosun/testkit/stack'
import examples from '@octokit/webhooks-examples'
import { sign } from '@octokit/webhooks-methods'
import { failure, measure, type Result, report, startBare } from './lib/load'

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
  const delivery = (label: string, connections: number, against?: { url: string }, non2xxAllowed?: string) =>
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
        status: 202,
        non2xxAllowed,
      },
      { against },
    )

  console.log(`payload: ${sample.event}, ${sample.body.length} bytes`)
  const c50 = await delivery('c50', 50, { url: bare.url })
  const c1 = await delivery('c1', 1)
  const overload = await delivery(
    'c500',
    500,
    undefined,
    '503 from BOSUN_WEBHOOKS_MAX_IN_FLIGHT: refused at once, to be redelivered',
  )
  report([{ result: c50, target: 0.025 }])
  const latency = (r: Result, meets: boolean, what: string) => {
    const failed = failure(r)
    console.log(
      `${r.name.padEnd(34)} p99 ${r.p99.toFixed(2)} ms (${what}): ${failed ? `FAILED (${failed})` : meets ? 'met' : 'MISSED'}  ` +
        `${r.rps.toFixed(0)} req/s  errors=${r.errors} non2xx=${r.non2xx}${r.non2xxAllowed ? ` (${r.non2xxAllowed})` : ''}`,
    )
  }
  latency(c1, c1.p99 <= 10, 'target ≤ 10 ms')
  latency(overload, overload.p99 < 1000, 'target < 1000 ms')
} finally {
  bare.stop()
  await stack.stop()
}
