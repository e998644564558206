import { useNavigate } from '@tanstack/react-router'
import { useCallback } from 'react'
import { ApiError } from '../../../api/errors'
import { ErrorNote, Loading, WriteError } from '../../../components/states'
import {
  type Item,
  type SessionSnapshot,
  useArchive,
  useFork,
  useSessionSnapshot,
  useSetVisibility,
} from '../../../data/agent-session'
import { useSession } from '../../../data/auth'
import { useThreadLive } from '../../../live/thread-live'
import { NotFoundPage } from '../../not-found/page'
import { Composer } from './composer'
import { SessionHeader } from './header'
import { NowDoing } from './now-doing'
import { ReviewPanel } from './review-panel'
import { Transcript } from './transcript'
import { WorktreePanel } from './worktree-panel'

/**
 * `/agent-sessions/worktrees/:wtId/threads/:thrId`: a thread, live. A thread the caller may not see is the
 * 404 page, the same as one that does not exist; someone else's team thread is read-only.
 */
/** Auto-dispatched threads belong to the team: any member may review them (aica checks aica:write). */
const AUTO_USER = 'aica:auto'

export function SessionDetailPage(props: { wtId: string; thrId: string; role?: 'viewer' }) {
  const snap = useSessionSnapshot(props.thrId)
  const session = useSession()
  if (snap.error instanceof ApiError && snap.error.status === 404) return <NotFoundPage />
  if (snap.error) return <ErrorNote error={snap.error} what="the session" />
  if (!snap.data || !session.data) return <Loading what="the session" />
  if (snap.data.thread.worktreeId !== props.wtId) return <NotFoundPage />
  const readOnly = props.role === 'viewer' || snap.data.thread.userId !== session.data.user.id
  const canReview = props.role !== 'viewer' && (!readOnly || snap.data.thread.userId === AUTO_USER)
  return <LiveSession key={props.thrId} snapshot={snap.data} readOnly={readOnly} canReview={canReview} />
}

function LiveSession({
  snapshot,
  readOnly,
  canReview,
}: {
  snapshot: SessionSnapshot
  readOnly: boolean
  canReview: boolean
}) {
  const live = useThreadLive(snapshot, readOnly)
  const { thread } = live
  const navigate = useNavigate()
  const fork = useFork(thread.worktreeId, thread.id)
  const archive = useArchive(thread.worktreeId, thread.id)
  const visibility = useSetVisibility(thread.worktreeId)
  const forkMutate = fork.mutate
  const forkAt = useCallback(
    (item: Item) =>
      forkMutate(item.id, {
        onSuccess: (t) =>
          navigate({
            to: '/agent-sessions/worktrees/$wtId/threads/$thrId',
            params: { wtId: t.worktreeId, thrId: t.id },
          }),
      }),
    [forkMutate, navigate],
  )
  const shownVisibility = visibility.data?.visibility ?? snapshot.worktree.visibility
  return (
    <div className="session-detail">
      <section aria-labelledby="session-title" className="session-main">
        <SessionHeader thread={thread} worktree={snapshot.worktree} items={live.items} />
        {live.online ? null : (
          <p className="muted" role="status">
            Reconnecting…
          </p>
        )}
        {readOnly ? (
          <p className="muted">You are viewing {thread.userLogin}'s team session (read-only).</p>
        ) : (
          <div className="actions">
            <button
              type="button"
              disabled={visibility.isPending}
              onClick={() => visibility.mutate(shownVisibility === 'team' ? 'personal' : 'team')}
            >
              {shownVisibility === 'team' ? 'Make personal' : 'Share with the team'}
            </button>
            {thread.status === 'archived' ? null : (
              <button type="button" disabled={archive.isPending} onClick={() => archive.mutate()}>
                Archive
              </button>
            )}
          </div>
        )}
        <WriteError error={visibility.error ?? archive.error ?? fork.error} />
        <Transcript
          items={live.items}
          threadId={thread.id}
          readOnly={readOnly}
          onFork={readOnly ? undefined : forkAt}
        />
        <NowDoing live={live} />
        <ReviewPanel thread={thread} items={live.items} canAct={canReview} />
        {readOnly ? null : <Composer thread={thread} refusal={live.refusal} />}
      </section>
      <WorktreePanel worktree={snapshot.worktree} current={thread} readOnly={readOnly} />
    </div>
  )
}
