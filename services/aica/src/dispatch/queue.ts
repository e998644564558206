import type { AicaWork } from '@bosun/contracts/relay'
import {
  AICA_WORK_ACK_WAIT_MS,
  AICA_WORK_MAX_DELIVER,
  AICA_WORK_STREAM,
  AICA_WORK_TYPE,
  AicaWork as AicaWorkSchema,
  aicaWorkConsumer,
  PRIORITIES,
  type Priority,
} from '@bosun/contracts/relay'
import type { Bus } from '@bosun/service-kit/bus'
import { assertValid } from '@bosun/service-kit/validate'
import { sql } from 'drizzle-orm'
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from 'nats'

const NS = 1_000_000

export const workSubject = (bus: Pick<Bus, 'subjects'>, priority: Priority) =>
  bus.subjects.work('aica', priority)

/** The work-queue stream and one durable pull consumer per priority; idempotent, any instance may run it. */
export async function ensureWorkQueue(bus: Bus) {
  const subjects = [bus.subjects.work('aica', '*')]
  try {
    await bus.jsm.streams.info(AICA_WORK_STREAM)
  } catch {
    await bus.jsm.streams
      .add({
        name: AICA_WORK_STREAM,
        subjects,
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        duplicate_window: 2 * 60 * 1000 * NS,
      })
      .catch(async (e) => {
        await bus.jsm.streams.info(AICA_WORK_STREAM).catch(() => {
          throw e
        })
      })
  }
  for (const priority of PRIORITIES) {
    const durable = aicaWorkConsumer(priority)
    await bus.jsm.consumers.info(AICA_WORK_STREAM, durable).catch(() =>
      bus.jsm.consumers
        .add(AICA_WORK_STREAM, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: workSubject(bus, priority),
          ack_wait: AICA_WORK_ACK_WAIT_MS * NS,
          max_deliver: AICA_WORK_MAX_DELIVER,
        })
        .catch(async (e) => {
          await bus.jsm.consumers.info(AICA_WORK_STREAM, durable).catch(() => {
            throw e
          })
        }),
    )
  }
}

type Runner = { run: (query: ReturnType<typeof sql>) => Promise<unknown> }

/**
 * Puts a work message in the outbox inside the caller's transaction, so it leaves exactly when the
 * thread's move to `starting` commits. Its id (`Nats-Msg-Id`) is per thread attempt.
 */
export async function enqueueWork(
  tx: Runner,
  bus: Pick<Bus, 'subjects' | 'source'>,
  work: AicaWork,
  attempt: number,
) {
  const envelope = {
    id: `work-${work.threadId}-${attempt}`,
    type: AICA_WORK_TYPE,
    source: bus.source,
    time: new Date().toISOString(),
    data: assertValid(AicaWorkSchema, work, AICA_WORK_TYPE),
  }
  await tx.run(
    sql`insert into outbox (id, subject, envelope, traceparent, created_at) values (${envelope.id}, ${workSubject(bus, work.priority)}, ${JSON.stringify(envelope)}, ${null}, ${Date.now()})`,
  )
}
