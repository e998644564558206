import { useState } from 'react'
import { useCurrentWorkspace } from '../../app/current-workspace'
import { ConfirmButton } from '../../components/confirm-button'
import { ListState, WriteError } from '../../components/states'
import { Time } from '../../components/time'
import { can, useSession } from '../../data/auth'
import { useCreateCheckPolicy, useRemoveCheckPolicy, useSnapshot } from '../../data/workspace'

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)

/** `/policies`: CI check policies (which checks must pass for "ready"), live. */
export function PoliciesPage() {
  const { workspace } = useCurrentWorkspace()
  const snapshot = useSnapshot(workspace.id)
  const create = useCreateCheckPolicy(workspace.id)
  const remove = useRemoveCheckPolicy(workspace.id)
  const writer = can(useSession().data, 'team_policies:write')
  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">CI check policies</h1>
      <p className="muted">
        A pull request is ready only when every required check of the policies for its repository passed.
      </p>
      {writer ? <PolicyForm onSave={(p) => create.mutateAsync(p)} /> : null}
      <ListState
        query={snapshot}
        what="check policies"
        isEmpty={(s) => s.checkPolicies.length === 0}
        empty="No check policies: every pull request counts its checks as optional."
      >
        {(s) => (
          <ul className="rows" aria-label="Check policies">
            {s.checkPolicies.map((p) => (
              <li key={p.name} className="row">
                <div className="row-main">
                  <strong>{p.name}</strong>
                  <span>requires {p.requiredChecks.join(', ')}</span>
                  <span className="muted">on {p.repos.length ? p.repos.join(', ') : 'every repository'}</span>
                </div>
                <div className="row-meta muted">
                  by {p.by}, <Time iso={p.at} />
                  {writer ? (
                    <ConfirmButton
                      label={`Remove ${p.name}`}
                      confirm={`Yes, remove ${p.name}`}
                      onConfirm={() => remove.mutateAsync(p.name)}
                    />
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </ListState>
    </section>
  )
}

function PolicyForm(props: {
  onSave: (p: { name: string; requiredChecks: string[]; repos?: string[] }) => Promise<unknown>
}) {
  const [name, setName] = useState('')
  const [checks, setChecks] = useState('')
  const [repos, setRepos] = useState('')
  const [error, setError] = useState<unknown>(null)
  return (
    <form
      className="stack-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        props
          .onSave({ name: name.trim(), requiredChecks: list(checks), repos: list(repos) })
          .then(() => {
            setName('')
            setChecks('')
            setRepos('')
          })
          .catch(setError)
      }}
    >
      <label>
        Policy name{' '}
        <input name="policy-name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Required checks (comma-separated; * matches anything)
        <input name="checks" required value={checks} onChange={(e) => setChecks(e.target.value)} />
      </label>
      <label>
        Repositories (owner/name, comma-separated; empty: all)
        <input name="repos" value={repos} onChange={(e) => setRepos(e.target.value)} />
      </label>
      <div>
        <button type="submit">Save policy</button>
      </div>
      <WriteError error={error} />
    </form>
  )
}
