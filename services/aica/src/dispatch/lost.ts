import { AICA_WORK_STREAM, WorkEnvelope } from '@bosun/contracts/relay'
import type { Bus } from '@bosun/service-kit/bus'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { parseValid } from '@bosun/service-kit/validate'

/**
 * When JetStream gives up on a work message (every runner that took it died or never acked), the
 * thread would wait in `starting` for ever. This listens to the max-deliveries advisory (one instance
 * of the queue group handles each), fails the thread with `runner_lost` and removes the message.
 */
export function watchLostWork(bus: Bus, logger: Logger, fail: (threadId: string) => Promise<void>) {
  const sub = bus.nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${AICA_WORK_STREAM}.*`, {
    queue: `${bus.subjects.prefix}-aica-lost-work`,
  })
  ;(async () => {
    for await (const m of sub) {
      try {
        const { stream_seq } = m.json() as { stream_seq?: number }
        if (typeof stream_seq !== 'number') continue
        const stored = await bus.jsm.streams.getMessage(AICA_WORK_STREAM, { seq: stream_seq })
        const envelope = parseValid(WorkEnvelope, stored.data)
        if (envelope) await fail(envelope.data.threadId)
        await bus.jsm.streams.deleteMessage(AICA_WORK_STREAM, stream_seq).catch(() => false)
      } catch (err) {
        logger.warn('lost-work advisory not handled', errorFields(err))
      }
    }
  })()
  return () => sub.unsubscribe()
}
