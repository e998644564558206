/**
 * Lists Bosun's NATS services with their endpoints and stats, as `nats micro ls` / `info` / `stats` would,
 * for machines without the NATS CLI: `bun infra/micro.ts [NATS_URL]`.
 */
import { connect, type ServiceStats } from 'nats'

const nc = await connect({ servers: process.argv[2] ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222' })
const client = nc.services.client()
const rows: string[] = []
// With no service registered the discovery request has no responders (NATS answers 503).
const infos = await client.info().catch((err: { code?: string }) => {
  if (err.code === '503') return []
  throw err
})
for await (const info of infos) {
  let stats: ServiceStats | undefined
  for await (const s of await client.stats(info.name, info.id)) stats = s
  rows.push(`${info.name} ${info.version} (${info.id})`)
  for (const e of info.endpoints) {
    const s = stats?.endpoints?.find((x) => x.name === e.name)
    rows.push(`  ${e.subject.padEnd(40)} requests=${s?.num_requests ?? 0} errors=${s?.num_errors ?? 0}`)
  }
}
console.log(rows.length ? rows.join('\n') : 'no services registered')
await nc.close()
