import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { type NatsServer, startNats } from '@bosun/testkit/nats'
import { waitFor } from '@bosun/testkit/wait'
import { type Bus, connectBus } from '../src/bus'
import type { PermissionRefusal } from '../src/bus-status'
import type { Logger } from '../src/log'

/**
 * A NATS permission refusal is never silent: with the production authorization (infra/nats/auth.conf) on
 * a real nats-server, a refused publish is logged with its subject, and a refused subscription ends the
 * service with exit code 1 instead of leaving it reading nothing.
 */
let nats: NatsServer
const buses: Bus[] = []

beforeAll(async () => {
  nats = await startNats()
}, 30_000)
afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {})
  await nats?.stop()
})

const recorder = () => {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = []
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, msg, fields })
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: () => true,
  }
  return { lines, logger }
}

describe('NATS permission refusals', () => {
  test('a refused publish is logged as an error naming the subject; the service carries on', async () => {
    const { lines, logger } = recorder()
    const refusals: PermissionRefusal[] = []
    const bus = await connectBus({
      url: nats.urlFor('dashboard'),
      name: 'dashboard',
      version: '0.0.0',
      prefix: 'bosun',
      logger,
      onSubscriptionRefused: (r) => refusals.push(r),
    })
    buses.push(bus)
    // dashboard may not publish aica's live messages.
    bus.nc.publish('bosun.rt.aica.thread.thr_x', 'forged')
    const line = await waitFor(
      () => lines.find((l) => l.msg.includes('permission violation')),
      10_000,
      'the violation to be logged',
    )
    expect(line).toMatchObject({
      level: 'error',
      msg: 'nats permission violation: publish to bosun.rt.aica.thread.thr_x refused',
      fields: { operation: 'publish', subject: 'bosun.rt.aica.thread.thr_x', user: 'dashboard' },
    })
    expect(refusals).toEqual([])
    expect(bus.nc.isClosed()).toBe(false)
  })

  test('a refused subscription is logged and ends the service with exit code 1', async () => {
    const proc = Bun.spawn(
      [
        process.execPath,
        join(import.meta.dir, 'fixture', 'refused-subscriber.ts'),
        nats.urlFor('dashboard'),
        'bosun.rt.aica.thread.thr_y',
      ],
      { stdout: 'pipe', stderr: 'pipe' },
    )
    const killer = setTimeout(() => proc.kill(9), 30_000)
    const code = await proc.exited
    clearTimeout(killer)
    const out = await new Response(proc.stdout).text()
    expect(code).toBe(1)
    const logged = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: string; msg: string; subject?: string; operation?: string })
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'nats permission violation: subscription to bosun.rt.aica.thread.thr_y refused',
        operation: 'subscription',
        subject: 'bosun.rt.aica.thread.thr_y',
      }),
    )
    expect(logged.at(-1)).toMatchObject({ level: 'error', msg: expect.stringContaining('exiting') })
  }, 40_000)
})
