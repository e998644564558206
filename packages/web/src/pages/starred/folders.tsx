import { useState } from 'react'
import { ConfirmButton } from '../../components/confirm-button'
import { WriteError } from '../../components/states'
import type { StarredFolder } from '../../data/workspace'

export function Folders(props: {
  folders: StarredFolder[]
  writable: boolean
  onRename: (from: string, to: string) => Promise<unknown>
  onRemove: (name: string) => Promise<unknown>
}) {
  if (!props.folders.length) return <p className="empty">No folders yet.</p>
  return (
    <ul className="rows" aria-label="Folders">
      {props.folders.map((f) => (
        <li key={f.name} className="row">
          <div className="row-main">
            <strong>{f.name}</strong>
            <span className="muted">by {f.createdBy}</span>
          </div>
          {props.writable ? (
            <div className="row-meta">
              <RenameForm name={f.name} onRename={(to) => props.onRename(f.name, to)} />
              <ConfirmButton
                label={`Delete folder ${f.name}`}
                confirm="Yes, delete (its comments stay, out of any folder)"
                onConfirm={() => props.onRemove(f.name)}
              />
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  )
}

function RenameForm({ name, onRename }: { name: string; onRename: (to: string) => Promise<unknown> }) {
  const [to, setTo] = useState(name)
  const [error, setError] = useState<unknown>(null)
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        onRename(to.trim()).catch(setError)
      }}
    >
      <label>
        Rename {name} to <input required value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit">Rename</button>
      <WriteError error={error} />
    </form>
  )
}
