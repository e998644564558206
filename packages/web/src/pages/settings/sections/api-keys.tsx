import { useState } from 'react'
import { ConfirmButton } from '../../../components/confirm-button'
import { ListState, WriteError } from '../../../components/states'
import { Time } from '../../../components/time'
import { type Scope, useApiKeys, useCreateApiKey, useRevokeApiKey, useSession } from '../../../data/auth'

/** API keys for automation: create with scopes (the secret is shown once), list, revoke. */
export function ApiKeysSection() {
  const keys = useApiKeys()
  const create = useCreateApiKey()
  const revoke = useRevokeApiKey()
  const scopes = useSession().data?.scopes ?? []
  return (
    <>
      <NewKeyForm scopes={scopes} onCreate={(v) => create.mutateAsync(v)} />
      {create.data ? (
        <div role="status" className="notice">
          <p>
            Key <strong>{create.data.name}</strong> created. Copy it now: it is not shown again.
          </p>
          <p className="secret" data-testid="new-api-key">
            {create.data.key}
          </p>
        </div>
      ) : null}
      <ListState query={keys} what="API keys" isEmpty={(p) => p.results.length === 0} empty="No API keys.">
        {(p) => (
          <ul className="rows" aria-label="API keys">
            {p.results.map((k) => (
              <li key={k.id} className="row">
                <div className="row-main">
                  <strong>{k.name}</strong>
                  <code>{k.prefix}…</code>
                  <span className="muted">
                    created <Time iso={k.createdAt} />
                    {k.expiresAt ? (
                      <>
                        , expires <Time iso={k.expiresAt} />
                      </>
                    ) : null}
                    {k.lastUsedAt ? (
                      <>
                        , last used <Time iso={k.lastUsedAt} />
                      </>
                    ) : null}
                  </span>
                </div>
                <div className="row-meta">
                  <span className="muted">{k.scopes.join(', ')}</span>
                  <ConfirmButton
                    label={`Revoke ${k.name}`}
                    confirm={`Yes, revoke ${k.name}`}
                    onConfirm={() => revoke.mutateAsync(k.id)}
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

function NewKeyForm(props: {
  scopes: Scope[]
  onCreate: (v: { name: string; scopes: Scope[]; expiresInDays?: number }) => Promise<unknown>
}) {
  const [name, setName] = useState('')
  const [chosen, setChosen] = useState<Scope[]>([])
  const [days, setDays] = useState('')
  const [error, setError] = useState<unknown>(null)
  const toggle = (s: Scope) => setChosen((c) => (c.includes(s) ? c.filter((x) => x !== s) : [...c, s]))
  return (
    <form
      className="stack-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        props
          .onCreate({ name: name.trim(), scopes: chosen, expiresInDays: days ? Number(days) : undefined })
          .then(() => {
            setName('')
            setChosen([])
            setDays('')
          })
          .catch(setError)
      }}
    >
      <label>
        Key name <input name="key-name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset className="scopes">
        <legend>Scopes (at most yours)</legend>
        {props.scopes.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" checked={chosen.includes(s)} onChange={() => toggle(s)} /> {s}
          </label>
        ))}
      </fieldset>
      <label>
        Expires in days (empty: never)
        <input
          name="days"
          type="number"
          min={1}
          max={3650}
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
      </label>
      <div>
        <button type="submit">Create key</button>
      </div>
      <WriteError error={error} />
    </form>
  )
}
