import type { AicaWork } from '@bosun/contracts/relay'
import { AICA_WORK_TYPE, AicaWork as AicaWorkSchema, type Priority } from '@bosun/contracts/relay'
import type { Bus } from '@bosun/service-kit/bus'
import { assertValid } from '@bosun/service-kit/validate'
import { sql } from 'drizzle-orm'

export const workSubject = (bus: Pick<Bus, 'subjects'>, priority: Priority) =>
  bus.subjects.work('aica', priority)

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
