import {
  AICA_WORK_ACK_WAIT_MS,
  AICA_WORK_MAX_DELIVER,
  AICA_WORK_STREAM,
  aicaWorkConsumer,
  PRIORITIES,
} from '@bosun/contracts/relay'
import { Type as T } from '@sinclair/typebox'
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from 'nats'
import type { Bus } from './bus'

const NS = 1_000_000

/**
 * Aica's and every runner's setting, used by whichever creates the consumers (an existing consumer keeps its own):
 * how long a silent runner keeps its work before JetStream hands it to another. Tests that kill a runner shorten it.
 */
export const aicaWorkQueueEnv = {
  BOSUN_WORK_ACK_WAIT_MS: T.Integer({ default: AICA_WORK_ACK_WAIT_MS, minimum: 1000 }),
}

/**
 * The AICA work-queue stream and one durable pull consumer per priority. Aica and every runner call it at
 * start and whichever comes first creates them, so the one definition lives here; idempotent. `ackWaitMs`
 * (how long a silent runner keeps its work before it is redelivered) is for tests that kill a runner.
 */
export async function ensureAicaWorkQueue(bus: Bus, opts: { ackWaitMs?: number } = {}) {
  const exists = (add: () => Promise<unknown>, info: () => Promise<unknown>) =>
    info().catch(() => add().catch((e) => info().catch(() => Promise.reject(e))))
  await exists(
    () =>
      bus.jsm.streams.add({
        name: AICA_WORK_STREAM,
        subjects: [bus.subjects.work('aica', '*')],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        duplicate_window: 2 * 60 * 1000 * NS,
      }),
    () => bus.jsm.streams.info(AICA_WORK_STREAM),
  )
  for (const priority of PRIORITIES) {
    const durable = aicaWorkConsumer(priority)
    await exists(
      () =>
        bus.jsm.consumers.add(AICA_WORK_STREAM, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: bus.subjects.work('aica', priority),
          ack_wait: (opts.ackWaitMs ?? AICA_WORK_ACK_WAIT_MS) * NS,
          max_deliver: AICA_WORK_MAX_DELIVER,
        }),
      () => bus.jsm.consumers.info(AICA_WORK_STREAM, durable),
    )
  }
}
