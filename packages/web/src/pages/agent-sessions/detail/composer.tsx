import { useState } from 'react'
import { WriteError } from '../../../components/states'
import { type Thread, useAutoApprove, usePrompt, useRetry, useStop } from '../../../data/agent-session'

const CAN_PROMPT = new Set(['running', 'idle'])
const CAN_STOP = new Set(['queued', 'starting', 'running', 'waiting_permission', 'waiting_answer'])
const CAN_RETRY = new Set(['failed', 'stopped'])

/** Send a prompt, stop, retry: each offered when the thread's status allows it; a refusal shows the server's words. */
export function Composer({ thread, refusal }: { thread: Thread; refusal?: string }) {
  const [text, setText] = useState('')
  const prompt = usePrompt(thread.worktreeId, thread.id)
  const stop = useStop(thread.worktreeId, thread.id)
  const retry = useRetry(thread.worktreeId, thread.id)
  const autoApprove = useAutoApprove(thread.id)
  const autoOn = autoApprove.data?.autoApprove ?? thread.autoApprove
  return (
    <form
      className="composer"
      aria-label="Composer"
      onSubmit={(e) => {
        e.preventDefault()
        if (text.trim()) prompt.mutate(text, { onSuccess: () => setText('') })
      }}
    >
      <label htmlFor="composer-text">Prompt</label>
      <textarea id="composer-text" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
      <div className="actions">
        <button type="submit" disabled={!CAN_PROMPT.has(thread.status) || prompt.isPending || !text.trim()}>
          Send
        </button>
        {CAN_STOP.has(thread.status) ? (
          <button type="button" disabled={stop.isPending} onClick={() => stop.mutate()}>
            Stop
          </button>
        ) : null}
        {CAN_RETRY.has(thread.status) ? (
          <button type="button" disabled={retry.isPending} onClick={() => retry.mutate()}>
            Retry
          </button>
        ) : null}
      </div>
      <label className="toggle">
        <input
          type="checkbox"
          checked={autoOn}
          disabled={autoApprove.isPending}
          onChange={(e) => autoApprove.mutate(e.target.checked)}
        />{' '}
        Auto-approve permission requests (never what the policy denies)
      </label>
      <WriteError error={prompt.error ?? stop.error ?? retry.error ?? autoApprove.error} />
      {refusal ? <p className="error">{refusal}</p> : null}
    </form>
  )
}
