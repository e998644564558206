import type { ThreadStatus } from '@bosun/contracts/relay'
import { errorFields } from '@bosun/service-kit/log'
import { fireCallback } from '../callbacks/service'
import type { AicaDeps } from '../deps'
import { pump } from '../dispatch/scheduler'
import { ACTIVE, ENDED } from './status'

/** What follows a committed status move: live fan-out, a freed slot, the end-of-thread callback. */
export async function afterMove(
  deps: AicaDeps,
  thread: { id: string; workspaceId: string },
  seq: number | undefined,
  to: ThreadStatus,
) {
  if (seq === undefined) return
  deps.hub.publishItem(thread.id, seq)
  // A thread that leaves the active statuses (ended, archived, waiting on review) frees its slot.
  if (ACTIVE.includes(to) || to === 'queued') return
  deps.extraEnv.drop(thread.id)
  if (ENDED.includes(to)) void fireCallback(deps, thread.id)
  await pump(deps, thread.workspaceId).catch((err) =>
    deps.logger.warn('pump failed', { workspaceId: thread.workspaceId, ...errorFields(err) }),
  )
}
