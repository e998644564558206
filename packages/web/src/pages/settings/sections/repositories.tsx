import { useState } from 'react'
import { useCurrentWorkspace } from '../../../app/current-workspace'
import { ConfirmButton } from '../../../components/confirm-button'
import { ListState, WriteError } from '../../../components/states'
import { Time } from '../../../components/time'
import { useAddRepository, useRemoveRepository, useSnapshot } from '../../../data/workspace'

/** The workspace's repositories (what the dashboard reads); one is where agents go by default. */
export function RepositoriesSection() {
  const { workspace } = useCurrentWorkspace()
  const snapshot = useSnapshot(workspace.id)
  const add = useAddRepository(workspace.id)
  const remove = useRemoveRepository(workspace.id)
  const [fullName, setFullName] = useState('')
  const [isDefault, setDefault] = useState(false)
  const [error, setError] = useState<unknown>(null)
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          setError(null)
          add
            .mutateAsync({ fullName: fullName.trim(), isDefaultForAgents: isDefault })
            .then(() => {
              setFullName('')
              setDefault(false)
            })
            .catch(setError)
        }}
      >
        <label>
          Repository (owner/name){' '}
          <input name="repository" required value={fullName} onChange={(e) => setFullName(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={isDefault} onChange={(e) => setDefault(e.target.checked)} /> default
          for agents
        </label>
        <button type="submit">Add repository</button>
        <WriteError error={error} />
      </form>
      <ListState
        query={snapshot}
        what="repositories"
        isEmpty={(s) => s.repositories.length === 0}
        empty="No repositories: the dashboard has nothing to read."
      >
        {(s) => (
          <ul className="rows" aria-label="Repositories">
            {s.repositories.map((r) => (
              <li key={r.fullName} className="row">
                <div className="row-main">
                  <strong>{r.fullName}</strong>
                  <span className="muted">branch {r.defaultBranch}</span>
                  {r.isDefaultForAgents ? <span className="badge member">default for agents</span> : null}
                  <span className="muted">
                    added by {r.addedBy}, <Time iso={r.addedAt} />
                  </span>
                  <ConfirmButton
                    label={`Remove ${r.fullName}`}
                    confirm={`Yes, remove ${r.fullName}`}
                    onConfirm={() => remove.mutateAsync(r.fullName)}
                  />
                </div>
              </li>
            ))}
          </ul>
        )}
      </ListState>
    </>
  )
}
