import { useState } from 'react'
import { AUTHOR_STATUSES, type AuthorStatus } from '../data/workspace'
import { WriteError } from './states'

/** Sets an author's record; a failed save keeps what was typed and says why. */
export function AuthorRecordForm(props: {
  login?: string
  status?: AuthorStatus
  note?: string
  submitLabel?: string
  onSave: (v: { login: string; status: AuthorStatus; note: string }) => Promise<unknown>
}) {
  const [login, setLogin] = useState(props.login ?? '')
  const [status, setStatus] = useState<AuthorStatus>(props.status ?? 'unknown')
  const [note, setNote] = useState(props.note ?? '')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault()
        setBusy(true)
        setError(null)
        props
          .onSave({ login: login.trim(), status, note })
          .catch(setError)
          .finally(() => setBusy(false))
      }}
    >
      {props.login ? null : (
        <label>
          Login <input required value={login} onChange={(e) => setLogin(e.target.value)} name="login" />
        </label>
      )}
      <label>
        Status{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value as AuthorStatus)} name="status">
          {AUTHOR_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note <input value={note} onChange={(e) => setNote(e.target.value)} name="note" />
      </label>
      <button type="submit" disabled={busy}>
        {props.submitLabel ?? 'Save record'}
      </button>
      <WriteError error={error} />
    </form>
  )
}
