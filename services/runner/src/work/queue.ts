import {
  AICA_WORK_ACK_WAIT_MS,
  AICA_WORK_STREAM,
  type AicaWork,
  aicaWorkConsumer,
  PRIORITIES,
  WorkEnvelope,
} from '@bosun/contracts/relay'
import { ensureAicaWorkQueue } from '@bosun/service-kit/aica-work-queue'
import type { Bus } from '@bosun/service-kit/bus'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { parseValid } from '@bosun/service-kit/validate'
import type { JsMsg } from 'nats'

const NS = 1_000_000

export type WorkLoop = { active(): number; stop(): Promise<void> }

/**
 * Pulls work, highest priority first, while fewer than `concurrency` threads run here. A work message stays
 * unacked (kept alive with `working()`) for as long as its thread runs, so if this runner dies JetStream
 * hands it to another after the consumer's ack wait. A core subscription on the work subjects rings the
 * bell so a new message is pulled at once instead of at the next poll.
 */
export async function startWorkLoop(opts: {
  bus: Bus
  logger: Logger
  concurrency: number
  /** How long stop() waits for running threads to report that the runner is stopping. */
  stopGraceMs: number
  /** The work queue's acknowledgement wait, when this runner is the one that creates it. */
  ackWaitMs: number
  handle(work: AicaWork, msg: { redelivered: boolean; runId: string }): Promise<void>
  /** Called while every slot is taken and work waits: the runner may free a slot (evict an idle thread). */
  onFull?(): void
}): Promise<WorkLoop> {
  const { bus, logger } = opts
  await ensureAicaWorkQueue(bus, { ackWaitMs: opts.ackWaitMs })
  const consumers = await Promise.all(
    PRIORITIES.map(async (p) => ({
      p,
      c: await bus.js.consumers.get(AICA_WORK_STREAM, aicaWorkConsumer(p)),
    })),
  )
  const ackWaits = await Promise.all(
    PRIORITIES.map(
      async (p) => (await bus.jsm.consumers.info(AICA_WORK_STREAM, aicaWorkConsumer(p))).config.ack_wait,
    ),
  )
  const heartbeatMs = Math.max(
    200,
    Math.min(...ackWaits.map((n) => (n ?? AICA_WORK_ACK_WAIT_MS * NS) / NS)) / 3,
  )
  let running = 0
  let stopped = false
  let ring: () => void = () => {}
  // A ring while the loop is busy pulling is remembered, so the next wait returns at once.
  let rang = false
  const bell = bus.nc.subscribe(bus.subjects.work('aica', '>'))
  void (async () => {
    for await (const _ of bell) {
      rang = true
      ring()
    }
  })()
  const inflight = new Set<Promise<void>>()

  let lastSweep = 0
  const take = async (): Promise<JsMsg | null> => {
    // Unacked messages (maybe a dead runner's, due for redelivery) are not "pending": pull for them now and then.
    const sweep = Date.now() - lastSweep > 5000
    if (sweep) lastSweep = Date.now()
    for (const { p, c } of consumers) {
      const info = await bus.jsm.consumers.info(AICA_WORK_STREAM, aicaWorkConsumer(p)).catch(() => undefined)
      if (!info || (info.num_pending <= 0 && !(sweep && info.num_ack_pending > 0))) continue
      const m = await c.next({ expires: 1000 }).catch(() => null)
      if (m) return m
    }
    return null
  }

  /** True when any priority has work no runner took yet. */
  const waiting = async () => {
    for (const { p } of consumers) {
      const info = await bus.jsm.consumers.info(AICA_WORK_STREAM, aicaWorkConsumer(p)).catch(() => undefined)
      if (info && info.num_pending > 0) return true
    }
    return false
  }

  const run = async (m: JsMsg) => {
    const beat = setInterval(() => m.working(), heartbeatMs)
    try {
      const data = parseValid(WorkEnvelope, m.data)
      if (!data) {
        logger.warn('terminated invalid work message', { subject: m.subject })
        m.term()
        return
      }
      await opts.handle(data.data, {
        redelivered: m.info.deliveryCount > 1,
        runId: `${data.id}:${m.info.deliveryCount}`,
      })
      m.ack()
    } catch (err) {
      logger.error('work failed; redelivering', errorFields(err))
      m.nak(5000)
    } finally {
      clearInterval(beat)
    }
  }

  const loop = (async () => {
    while (!stopped) {
      rang = false
      if (running < opts.concurrency) {
        const m = await take()
        if (m) {
          running += 1
          const p = run(m).finally(() => {
            running -= 1
            inflight.delete(p)
            ring()
          })
          inflight.add(p)
          continue
        }
      } else if (opts.onFull && (await waiting())) opts.onFull()
      if (rang) continue
      await new Promise<void>((resolve) => {
        ring = resolve
        setTimeout(resolve, 1000)
      })
    }
  })()

  return {
    active: () => running,
    async stop() {
      stopped = true
      ring()
      bell.unsubscribe()
      await loop
      // Running threads see the runner stopping and report it; give them a moment to say so.
      await Promise.race([Promise.all(inflight), Bun.sleep(opts.stopGraceMs)])
    },
  }
}
