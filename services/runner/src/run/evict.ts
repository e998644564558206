/** A thread that ended its turn without changes and keeps its sandbox for a later prompt. */
export type IdleThread = { since: number; evict(): void }

/** The idle threads of a runner, and the one asked to give its slot up (at most one at a time). */
export type IdleThreads = { threads: Map<string, IdleThread>; evicting?: string }

export const idleThreads = (): IdleThreads => ({ threads: new Map() })

/**
 * Work waits and every slot is taken: the least recently used idle thread gives its slot (and, when it is the
 * host's last thread, its sandbox) up. Its worktree was backed up when it went idle, so a later prompt is new
 * work restoring from that backup. One eviction at a time: the next waits until that thread's run has ended
 * (its slot is free) or it took a prompt instead.
 */
export function evictIdle(idle: IdleThreads) {
  if (idle.evicting) return
  let oldest: [string, IdleThread] | undefined
  for (const entry of idle.threads) if (!oldest || entry[1].since < oldest[1].since) oldest = entry
  if (!oldest) return
  idle.evicting = oldest[0]
  oldest[1].evict()
}

/** The thread is busy again or its run ended: no longer idle, and no longer the one being evicted. */
export function forgetIdle(idle: IdleThreads, threadId: string) {
  idle.threads.delete(threadId)
  if (idle.evicting === threadId) idle.evicting = undefined
}
