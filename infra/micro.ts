/**
 * Lists Bosun's NATS services with their endpoints and stats, as `nats micro ls` / `info` / `stats` would,
 * for machines without the NATS CLI: `bun infra/micro.ts [NATS_URL]`.
 */

import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { connect, type ServiceInfo, type ServiceStats } from 'nats'

const nc = await connect(
  natsConnectOptions(process.argv[2] ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222'),
)
const client = nc.services.client()

/** Collects a discovery answer; with no service registered the request has no responders (NATS 503). */
async function collect<T>(it: Promise<AsyncIterable<T>>): Promise<T[]> {
  const out: T[] = []
  try {
    for await (const x of await it) out.push(x)
  } catch (err) {
    if ((err as { code?: string }).code !== '503') throw err
  }
  return out
}

const rows: string[] = []
for (const info of await collect<ServiceInfo>(client.info())) {
  const [stats] = await collect<ServiceStats>(client.stats(info.name, info.id))
  rows.push(`${info.name} ${info.version} (${info.id})`)
  for (const e of info.endpoints) {
    const s = stats?.endpoints?.find((x) => x.name === e.name)
    rows.push(`  ${e.subject.padEnd(40)} requests=${s?.num_requests ?? 0} errors=${s?.num_errors ?? 0}`)
  }
}
console.log(rows.length ? rows.join('\n') : 'no services registered')
await nc.close()
