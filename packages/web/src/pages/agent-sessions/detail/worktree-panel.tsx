import { Link, useNavigate } from '@tanstack/react-router'
import { useState } from 'react'
import { ListState, WriteError } from '../../../components/states'
import {
  type Thread,
  useAttachThread,
  useCloneWorktree,
  useWorktree,
  type Worktree,
} from '../../../data/agent-session'

/** The worktree's threads, a new thread in it, and a new worktree from its latest backup. */
export function WorktreePanel(props: { worktree: Worktree; current: Thread; readOnly: boolean }) {
  const wt = useWorktree(props.worktree.id)
  return (
    <aside className="worktree-panel" aria-labelledby="worktree-title">
      <h2 id="worktree-title">Worktree</h2>
      <p className="muted">
        {props.worktree.repo}@{props.worktree.ref} · {props.worktree.visibility}
      </p>
      <ListState
        query={wt}
        what="the worktree's threads"
        isEmpty={(d) => !d.threads.length}
        empty="No threads."
      >
        {(d) => (
          <ul className="threads" aria-label="Threads in this worktree">
            {d.threads.map((t) => (
              <li key={t.id}>
                <Link
                  to="/agent-sessions/worktrees/$wtId/threads/$thrId"
                  params={{ wtId: t.worktreeId, thrId: t.id }}
                  aria-current={t.id === props.current.id ? 'page' : undefined}
                >
                  {t.prompt.split('\n')[0]?.slice(0, 80) || t.id}
                </Link>{' '}
                {/* This thread's status is live; the others' are as loaded. */}
                <span className="muted">{t.id === props.current.id ? props.current.status : t.status}</span>
              </li>
            ))}
          </ul>
        )}
      </ListState>
      {props.readOnly ? null : (
        <>
          <NewThreadForm worktree={props.worktree} mode="attach" />
          {props.worktree.latestBackup ? <NewThreadForm worktree={props.worktree} mode="clone" /> : null}
        </>
      )}
    </aside>
  )
}

function NewThreadForm({ worktree, mode }: { worktree: Worktree; mode: 'attach' | 'clone' }) {
  const [prompt, setPrompt] = useState('')
  const attach = useAttachThread(worktree.id)
  const clone = useCloneWorktree(worktree.id)
  const navigate = useNavigate()
  const busy = attach.isPending || clone.isPending
  const label = mode === 'attach' ? 'New thread here' : 'Clone from the latest backup'
  const id = `new-thread-${mode}`
  const go = (t: { worktreeId: string; id: string }) =>
    navigate({
      to: '/agent-sessions/worktrees/$wtId/threads/$thrId',
      params: { wtId: t.worktreeId, thrId: t.id },
    })
  return (
    <form
      className="new-thread"
      onSubmit={(e) => {
        e.preventDefault()
        if (!prompt.trim()) return
        if (mode === 'attach') attach.mutate(prompt, { onSuccess: go })
        else clone.mutate(prompt, { onSuccess: (r) => go(r.thread) })
      }}
    >
      <label htmlFor={id}>{mode === 'attach' ? 'Prompt for a new thread here' : 'Prompt for a clone'}</label>
      <textarea id={id} rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      <button type="submit" disabled={busy || !prompt.trim()}>
        {label}
      </button>
      <WriteError error={attach.error ?? clone.error} />
    </form>
  )
}
