import { useEffect, useState } from 'react'
import { ChangeSummary, UsageSummary } from '../../../components/thread-summary'
import type { Item, Thread, Worktree } from '../../../data/agent-session'

const ORDER = [
  'queued',
  'starting',
  'running',
  'waiting_permission',
  'waiting_answer',
  'idle',
  'awaiting_review',
  'publishing',
  'published',
  'merge_failed',
  'declined',
  'completed',
  'failed',
  'stopped',
  'archived',
] as const
const LIVE = new Set(['queued', 'starting', 'running', 'publishing'])

export function elapsed(ms: number) {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`
}

/** Re-renders every second while the thread is live, so elapsed times move. */
function useNow(live: boolean) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (!live) return
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [live])
  return now
}

/**
 * Where the thread stands: repo@ref, status, when each status was entered, the sandbox, usage so far and
 * the worktree's line counts (both kept current by the thread's socket).
 */
export function SessionHeader({
  thread,
  worktree,
  items,
}: {
  thread: Thread
  worktree: Worktree
  items: Item[]
}) {
  const live = LIVE.has(thread.status)
  const now = useNow(live)
  const times = ORDER.flatMap((s) => {
    const at = thread.statusTimes[s]
    return at ? [{ status: s, at: Date.parse(at) }] : []
  }).sort((a, b) => a.at - b.at)
  const start = Date.parse(thread.createdAt)
  const end = live ? now : (times.at(-1)?.at ?? now)
  const sandboxItem = items.findLast((i) => i.body.kind === 'sandbox')?.body
  const sandbox =
    sandboxItem?.kind === 'sandbox'
      ? { backend: sandboxItem.backend, note: sandboxItem.note ?? null }
      : worktree.sandbox
  return (
    <header className="session-header">
      <h1 id="session-title">
        {thread.repo}@{thread.ref}
      </h1>
      <p>
        <span className={`status status-${thread.status}`}>{thread.status}</span> {live ? 'for' : 'took'}{' '}
        <span className="elapsed">{elapsed(end - start)}</span> · started by {thread.userLogin} ·{' '}
        {thread.visibility}
      </p>
      <ol className="timeline" aria-label="Status timeline">
        {times.map((t) => (
          <li key={t.status} data-status={t.status}>
            {t.status} <span className="muted">+{elapsed(t.at - start)}</span>
          </li>
        ))}
      </ol>
      <p className="muted" data-testid="session-summary">
        Usage: <UsageSummary usage={thread.usage} />
        {thread.changes ? (
          <>
            {' '}
            · <ChangeSummary changes={thread.changes} />
          </>
        ) : null}
      </p>
      {sandbox ? (
        <details className="sandbox-note">
          <summary>Sandbox: {sandbox.backend}</summary>
          {sandbox.note ? <p className="muted">{sandbox.note}</p> : null}
        </details>
      ) : (
        <p className="muted">Sandbox: not reported yet</p>
      )}
      {thread.error ? (
        <p className="error">
          {thread.error.message} ({thread.error.code})
        </p>
      ) : null}
    </header>
  )
}
