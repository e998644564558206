import { useState } from 'react'
import { WriteError } from '../../../components/states'
import { type Item, type Thread, useRequestChanges, useReview } from '../../../data/agent-session'

const CAN_REQUEST = new Set(['awaiting_review', 'published', 'merge_failed'])
const CAN_APPROVE = new Set(['awaiting_review', 'merge_failed'])

/** The pull request of a published thread: from the snapshot, or from the live `publish` item that opened it. */
function pullUrl(thread: Thread, items: Item[]) {
  const fromItems = items.findLast((i) => i.body.kind === 'publish' && i.body.step === 'pull_request')
  const url =
    fromItems?.body.kind === 'publish' && fromItems.body.url ? fromItems.body.url : thread.pullRequest?.url
  return url && /^https?:\/\//.test(url) ? url : undefined
}

/** Seed 003's review gate: approve (optionally as a draft PR), request changes, decline; then the PR's link. */
export function ReviewPanel({ thread, items, canAct }: { thread: Thread; items: Item[]; canAct: boolean }) {
  const [draft, setDraft] = useState(false)
  const [comment, setComment] = useState('')
  const review = useReview(thread.worktreeId, thread.id)
  const changes = useRequestChanges(thread.worktreeId, thread.id)
  const url = pullUrl(thread, items)
  const acting = canAct && (CAN_APPROVE.has(thread.status) || CAN_REQUEST.has(thread.status))
  if (!url && !acting) return null
  return (
    <section className="review-panel" aria-label="Review">
      {url ? (
        <p>
          Pull request:{' '}
          <a href={url} target="_blank" rel="noreferrer noopener">
            {url}
          </a>
        </p>
      ) : null}
      {thread.status === 'awaiting_review' ? (
        <p>The agent changed the worktree. Review its changes.</p>
      ) : null}
      {thread.status === 'merge_failed' && thread.error ? (
        <p className="error">{thread.error.message}</p>
      ) : null}
      {acting && CAN_APPROVE.has(thread.status) ? (
        <div className="actions">
          <label>
            <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} /> Open as
            draft
          </label>
          <button
            type="button"
            disabled={review.isPending}
            onClick={() => review.mutate({ approved: true, draft })}
          >
            Approve
          </button>
          {thread.status === 'awaiting_review' ? (
            <button
              type="button"
              disabled={review.isPending}
              onClick={() => review.mutate({ approved: false })}
            >
              Decline
            </button>
          ) : null}
        </div>
      ) : null}
      {acting && CAN_REQUEST.has(thread.status) ? (
        <form
          aria-label="Request changes"
          onSubmit={(e) => {
            e.preventDefault()
            if (comment.trim()) changes.mutate(comment, { onSuccess: () => setComment('') })
          }}
        >
          <label htmlFor="review-comment">What should change</label>
          <textarea
            id="review-comment"
            rows={2}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
          <button type="submit" disabled={changes.isPending || !comment.trim()}>
            Request changes
          </button>
        </form>
      ) : null}
      <WriteError error={review.error ?? changes.error} />
    </section>
  )
}
