import type { LiveThread } from '../../../live/thread-live'
import { oneLine } from './item-view'

/** What a live thread is doing now, so nobody stares at a frozen page. */
export function NowDoing({ live }: { live: LiveThread }) {
  const status = live.thread.status
  if (status === 'waiting_permission' || status === 'waiting_answer')
    return (
      <div className="now-doing" aria-live="polite">
        <p>
          {status === 'waiting_permission'
            ? 'Waiting for your permission (see the request above)…'
            : 'Waiting for your answer to its question (above)…'}
        </p>
      </div>
    )
  if (status !== 'running' && status !== 'starting' && status !== 'queued') return null
  let text: string
  if (status === 'queued') text = 'Waiting for a runner…'
  else if (status === 'starting') text = 'Starting the sandbox…'
  else if (live.streaming !== undefined) text = 'Thinking…'
  else {
    const last = live.items.at(-1)?.body
    text = last?.kind === 'tool_call' ? `Running ${last.tool} ${oneLine(last.input, 80)}` : 'Working…'
  }
  return (
    <div className="now-doing" aria-live="polite">
      <p>{text}</p>
      {live.streaming ? <p className="streaming muted">{live.streaming.slice(-400)}</p> : null}
    </div>
  )
}
