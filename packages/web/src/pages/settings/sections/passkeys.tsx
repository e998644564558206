import type { Passkey } from '@bosun/contracts/passkeys'
import { useState } from 'react'
import { ConfirmButton } from '../../../components/confirm-button'
import { ListState, WriteError } from '../../../components/states'
import { Time } from '../../../components/time'
import {
  passkeysSupported,
  useDeletePasskey,
  usePasskeys,
  useRegisterPasskey,
  useRenamePasskey,
} from '../../../data/passkeys'

/** The person's passkeys: add one (named), rename, remove. Signing in with one happens on /login. */
export function PasskeysSection() {
  const passkeys = usePasskeys()
  return (
    <>
      <p className="muted">
        A passkey signs you in on the sign-in page without GitHub, with this device’s screen lock or a
        security key.
      </p>
      {passkeysSupported() ? (
        <NewPasskeyForm />
      ) : (
        <p className="warning">This browser cannot create passkeys.</p>
      )}
      <ListState
        query={passkeys}
        what="passkeys"
        isEmpty={(p) => p.results.length === 0}
        empty="No passkeys yet."
      >
        {(p) => (
          <ul className="rows" aria-label="Passkeys">
            {p.results.map((k) => (
              <PasskeyRow key={k.id} passkey={k} />
            ))}
          </ul>
        )}
      </ListState>
    </>
  )
}

function NewPasskeyForm() {
  const register = useRegisterPasskey()
  const [name, setName] = useState('')
  const [error, setError] = useState<unknown>(null)
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        register
          .mutateAsync(name.trim())
          .then(() => setName(''))
          .catch(setError)
      }}
    >
      <label>
        Passkey name{' '}
        <input
          name="passkey-name"
          required
          maxLength={100}
          placeholder="e.g. Work laptop"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <button type="submit" disabled={register.isPending}>
        Add a passkey
      </button>
      <WriteError error={error} />
    </form>
  )
}

function PasskeyRow({ passkey }: { passkey: Passkey }) {
  const rename = useRenamePasskey()
  const remove = useDeletePasskey()
  const [editing, setEditing] = useState(false)
  const [name, setName] = useState(passkey.name)
  const [error, setError] = useState<unknown>(null)
  return (
    <li className="row">
      <div className="row-main">
        {editing ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault()
              setError(null)
              rename
                .mutateAsync({ id: passkey.id, name: name.trim() })
                .then(() => setEditing(false))
                .catch(setError)
            }}
          >
            <label>
              New name for {passkey.name}{' '}
              <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <button type="submit" disabled={rename.isPending}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <WriteError error={error} />
          </form>
        ) : (
          <strong>{passkey.name}</strong>
        )}
        <span className="muted">
          added <Time iso={passkey.createdAt} />
          {passkey.lastUsedAt ? (
            <>
              , last used <Time iso={passkey.lastUsedAt} />
            </>
          ) : (
            ', never used'
          )}
          {passkey.backedUp ? ', synced' : ''}
        </span>
      </div>
      <div className="row-meta">
        {editing ? null : (
          <button
            type="button"
            onClick={() => {
              setName(passkey.name)
              setEditing(true)
            }}
          >
            Rename {passkey.name}
          </button>
        )}
        <ConfirmButton
          label={`Remove ${passkey.name}`}
          confirm={`Yes, remove ${passkey.name}`}
          onConfirm={() => remove.mutateAsync(passkey.id)}
        />
      </div>
    </li>
  )
}
