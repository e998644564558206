import { ConfirmButton } from '../../components/confirm-button'
import { Time } from '../../components/time'
import type { StarredComment } from '../../data/workspace'

export function StarredList(props: {
  comments: StarredComment[]
  folders: string[]
  writable: boolean
  onMove: (c: StarredComment, folder: string | null) => Promise<unknown>
  onUnstar: (commentId: string) => Promise<unknown>
}) {
  if (!props.comments.length) return <p className="empty">No starred comments yet.</p>
  return (
    <ul className="rows" aria-label="Starred comments">
      {props.comments.map((c) => (
        <li key={c.commentId} className="row">
          <div className="row-main">
            <a href={c.url} target="_blank" rel="noreferrer">
              {c.repo ? `${c.repo}#${c.prNumber}` : c.url}
            </a>
            {c.author ? <span className="muted">by {c.author}</span> : null}
            <span className="badge">{c.folder ?? 'no folder'}</span>
          </div>
          {c.body ? <blockquote className="excerpt">{c.body}</blockquote> : null}
          <div className="row-meta muted">
            starred by {c.by}, <Time iso={c.at} />
            {props.writable ? (
              <>
                <label>
                  Move to{' '}
                  <select
                    aria-label={`Folder of comment ${c.commentId}`}
                    value={c.folder ?? ''}
                    onChange={(e) => void props.onMove(c, e.target.value || null)}
                  >
                    <option value="">(none)</option>
                    {props.folders.map((f) => (
                      <option key={f}>{f}</option>
                    ))}
                  </select>
                </label>
                <ConfirmButton
                  label="Unstar"
                  confirm="Yes, unstar"
                  onConfirm={() => props.onUnstar(c.commentId)}
                />
              </>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  )
}
