import { useState } from 'react'
import { ApiError } from '../../api/errors'
import { CodeEditor } from '../../components/code-editor'
import { ConfirmButton } from '../../components/confirm-button'
import { WriteError } from '../../components/states'
import { Time } from '../../components/time'
import type { BundleItem } from '../../data/aica'

/** One bundle item: what it is, and (for writers) its content in an editor that saves against its version. */
export function BundleItemEditor(props: {
  item: BundleItem
  writable: boolean
  onSave: (content: string, version: number) => Promise<BundleItem>
  onDelete: () => Promise<unknown>
  onReload: () => Promise<BundleItem | undefined>
}) {
  const { item } = props
  // The version this editor started from: a save names it, so a write made meanwhile elsewhere is a 409.
  const [opened, setOpened] = useState(Number(item.version))
  const [content, setContent] = useState(item.content)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const conflict = error instanceof ApiError && error.status === 409
  return (
    <li className="row">
      <div className="row-main">
        <strong>{item.name}</strong>
        <code className="muted">{item.path}</code>
        <span className="badge">v{item.version}</span>
        <span className="muted">
          by {item.updatedBy}, <Time iso={item.updatedAt} />
        </span>
      </div>
      <details className="row-actions">
        <summary>{props.writable ? `Edit ${item.name}` : `Show ${item.name}`}</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            setError(null)
            setSaved(false)
            props.onSave(content, opened).then((next) => {
              setOpened(Number(next.version))
              setSaved(true)
            }, setError)
          }}
        >
          <CodeEditor label={`Content of ${item.name}`} value={content} onChange={setContent} />
          {props.writable ? (
            <div className="toolbar">
              <button type="submit">Save {item.name}</button>
              <ConfirmButton label={`Delete ${item.name}`} confirm="Yes, delete" onConfirm={props.onDelete} />
            </div>
          ) : null}
          {conflict ? (
            <p className="error" role="alert">
              {item.name} changed since you opened it. Your text is still here;{' '}
              <button
                type="button"
                className="link"
                onClick={() =>
                  props.onReload().then((latest) => {
                    if (!latest) return
                    setOpened(Number(latest.version))
                    setContent(latest.content)
                    setError(null)
                  })
                }
              >
                reload the latest version
              </button>{' '}
              (your edits will be replaced).
            </p>
          ) : (
            <WriteError error={error} />
          )}
          {saved ? <p role="status">Saved.</p> : null}
        </form>
      </details>
    </li>
  )
}
