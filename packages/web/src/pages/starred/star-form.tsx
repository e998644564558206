import { useState } from 'react'
import { WriteError } from '../../components/states'
import type { StarBody } from '../../data/workspace'

/** Stars a review comment by its GitHub URL (the comment id is the URL's `#discussion_r…`/`#issuecomment-…`). */
export function StarForm(props: { folders: string[]; onStar: (b: StarBody) => Promise<unknown> }) {
  const [url, setUrl] = useState('')
  const [body, setBody] = useState('')
  const [folder, setFolder] = useState('')
  const [error, setError] = useState<unknown>(null)
  return (
    <form
      className="stack-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        const parsed = parseCommentUrl(url.trim())
        if (!parsed) {
          setError(
            new Error('That is not a GitHub comment link (…/pull/N#discussion_r… or #issuecomment-…).'),
          )
          return
        }
        props
          .onStar({ ...parsed, url: url.trim(), body: body || undefined, folder: folder || null })
          .then(() => {
            setUrl('')
            setBody('')
          })
          .catch(setError)
      }}
    >
      <label>
        Comment link{' '}
        <input name="comment-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label>
        Excerpt <input name="excerpt" value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <label>
        Folder
        <select value={folder} onChange={(e) => setFolder(e.target.value)}>
          <option value="">(none)</option>
          {props.folders.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
      </label>
      <div>
        <button type="submit">Star comment</button>
      </div>
      <WriteError error={error} />
    </form>
  )
}

export function parseCommentUrl(url: string): { commentId: string; repo: string; prNumber: number } | null {
  const m =
    /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/(?:pull|issues)\/(\d+)(?:\/files)?#(?:discussion_r|issuecomment-|r)(\d+)$/.exec(
      url,
    )
  if (!m) return null
  return { repo: m[1]!, prNumber: Number(m[2]), commentId: m[3]! }
}
