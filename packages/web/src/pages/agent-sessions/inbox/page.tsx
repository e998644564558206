import { Link, useNavigate } from '@tanstack/react-router'
import { useEffect, useState } from 'react'
import { useCurrentWorkspace } from '../../../app/current-workspace'
import { Pager } from '../../../components/pager'
import { ListState } from '../../../components/states'
import { ChangeSummary, UsageSummary } from '../../../components/thread-summary'
import { Time } from '../../../components/time'
import {
  NEEDS_YOU,
  RUNNING,
  THREAD_STATUSES,
  type ThreadRow,
  type ThreadStatus,
  useThreads,
} from '../../../data/agent-sessions'
import { useSnapshot } from '../../../data/workspace'
import { useSessionsLive, useThreadStatusFeed } from '../../../live/sessions-live'

export type InboxSearch = {
  team?: boolean
  worktree?: string
  repo?: string
  status?: ThreadStatus
  cursor?: string
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
export const validateInboxSearch = (s: Record<string, unknown>): InboxSearch => ({
  team: s.team === true || s.team === 'true' ? true : undefined,
  worktree: str(s.worktree),
  repo: str(s.repo),
  status: THREAD_STATUSES.find((x) => x === s.status),
  cursor: str(s.cursor),
})

const GROUPS = [
  { id: 'needs-you', title: 'Needs you', has: (s: string) => NEEDS_YOU.includes(s) },
  { id: 'running', title: 'Running', has: (s: string) => RUNNING.includes(s) },
  { id: 'done', title: 'Done', has: (s: string) => !RUNNING.includes(s) && !NEEDS_YOU.includes(s) },
] as const

/** `/agent-sessions`: my agent threads (or, with the switch, all the team's I may see), grouped by what they need. */
export function InboxPage({ search }: { search: InboxSearch }) {
  const { workspace } = useCurrentWorkspace()
  const navigate = useNavigate({ from: '/agent-sessions' })
  const threads = useThreads({
    workspace: workspace.id,
    who: search.team ? 'all' : 'me',
    worktreeId: search.worktree,
    repo: search.repo,
    status: search.status,
    cursor: search.cursor,
  })
  const rows = threads.data?.results ?? []
  useThreadStatusFeed(workspace.id)
  useSessionsLive(
    workspace.id,
    rows.filter((t) => !GROUPS[2].has(t.status)),
  )
  const go = (next: Partial<InboxSearch>) => navigate({ search: { ...search, cursor: undefined, ...next } })
  return (
    <section aria-labelledby="inbox-title">
      <div className="toolbar">
        <h1 id="inbox-title">Agent sessions</h1>
        <Link className="button" to="/agent-sessions/new">
          New session
        </Link>
      </div>
      <InboxFilters workspace={workspace.id} search={search} onChange={go} />
      <ListState
        query={threads}
        what="agent sessions"
        isEmpty={(p) => p.results.length === 0}
        empty={search.team ? 'No agent sessions match.' : 'You have no agent sessions that match.'}
      >
        {(page) => (
          <>
            {GROUPS.map((g) => {
              const members = page.results.filter((t) => g.has(t.status))
              if (g.id === 'needs-you' && members.length === 0) return null
              const ordered =
                g.id === 'done'
                  ? [...members].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
                  : members
              return (
                <section key={g.id} aria-labelledby={`group-${g.id}`} className="session-group">
                  <h2 id={`group-${g.id}`}>
                    {g.title} <span className="count">{members.length}</span>
                  </h2>
                  {ordered.length ? (
                    <ul className="rows" aria-label={g.title}>
                      {ordered.map((t) => (
                        <SessionRow key={t.id} thread={t} />
                      ))}
                    </ul>
                  ) : (
                    <p className="empty">Nothing here.</p>
                  )}
                </section>
              )
            })}
            <Pager
              pagination={page.pagination}
              first={!search.cursor}
              onFirst={() => go({})}
              onNext={(cursor) => go({ cursor })}
            />
          </>
        )}
      </ListState>
    </section>
  )
}

function InboxFilters(props: {
  workspace: string
  search: InboxSearch
  onChange: (s: Partial<InboxSearch>) => void
}) {
  const { search, onChange } = props
  const repos = useSnapshot(props.workspace).data?.repositories ?? []
  const [worktree, setWorktree] = useState(search.worktree ?? '')
  useEffect(() => setWorktree(search.worktree ?? ''), [search.worktree])
  return (
    <form
      className="inline-form"
      aria-label="Filter sessions"
      onSubmit={(e) => {
        e.preventDefault()
        onChange({ worktree: worktree.trim() || undefined })
      }}
    >
      <label className="switch">
        <input
          type="checkbox"
          checked={search.team ?? false}
          onChange={(e) => onChange({ team: e.target.checked || undefined })}
        />{' '}
        Include the team's sessions and automatic ones
      </label>
      <label>
        Repository{' '}
        <select value={search.repo ?? ''} onChange={(e) => onChange({ repo: e.target.value || undefined })}>
          <option value="">All</option>
          {repos.map((r) => (
            <option key={r.fullName}>{r.fullName}</option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select
          value={search.status ?? ''}
          onChange={(e) => onChange({ status: THREAD_STATUSES.find((s) => s === e.target.value) })}
        >
          <option value="">Any</option>
          {THREAD_STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Worktree{' '}
        <input value={worktree} placeholder="wt_…" onChange={(e) => setWorktree(e.target.value)} size={16} />
      </label>
      <button type="submit">Filter</button>
    </form>
  )
}

/** Seconds since `iso`, ticking, for a running thread. */
function Elapsed({ iso }: { iso: string }) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000))
  return <span className="elapsed">{s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`}</span>
}

function SessionRow({ thread: t }: { thread: ThreadRow }) {
  const since = t.statusTimes[t.status as keyof typeof t.statusTimes] ?? t.updatedAt
  const running = RUNNING.includes(t.status)
  const firstLine = t.prompt.split('\n', 1)[0] ?? ''
  return (
    <li className="row" data-thread={t.id}>
      <div className="row-main">
        <Link
          className="title"
          to="/agent-sessions/worktrees/$wtId/threads/$thrId"
          params={{ wtId: t.worktreeId, thrId: t.id }}
        >
          <span className="ref">
            {t.repo}@{t.ref}
          </span>{' '}
          {firstLine}
        </Link>
      </div>
      <div className="row-meta">
        <span className={`badge status-${t.status}`}>{t.status}</span>
        <span className="muted">
          {running ? (
            <>
              for <Elapsed iso={t.statusTimes.queued ?? t.createdAt} />
            </>
          ) : (
            <Time iso={since} />
          )}
        </span>
        <span>
          {t.userId === 'aica:auto'
            ? `aica:auto${t.sourceIssue ? ` from ${t.sourceIssue}` : ''}`
            : `by ${t.userLogin}`}
        </span>
        {Number(t.usage.inputTokens) + Number(t.usage.outputTokens) > 0 ? (
          <span className="muted">
            <UsageSummary usage={t.usage} />
          </span>
        ) : null}
        {t.changes && Number(t.changes.files) > 0 ? <ChangeSummary changes={t.changes} /> : null}
      </div>
    </li>
  )
}
