import { type ReactNode, useState } from 'react'
import { WriteError } from './states'

/** A one-field form (add a member, create a folder…): cleared on success, kept with the reason on failure. */
export function SingleFieldForm(props: {
  label: string
  submit: string
  name: string
  onSubmit: (value: string) => Promise<unknown>
  pattern?: string
  extra?: ReactNode
}) {
  const [value, setValue] = useState('')
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
          .onSubmit(value.trim())
          .then(() => setValue(''))
          .catch(setError)
          .finally(() => setBusy(false))
      }}
    >
      <label>
        {props.label}{' '}
        <input
          name={props.name}
          required
          value={value}
          pattern={props.pattern}
          onChange={(e) => setValue(e.target.value)}
          autoCapitalize="off"
          spellCheck={false}
        />
      </label>
      {props.extra}
      <button type="submit" disabled={busy}>
        {props.submit}
      </button>
      <WriteError error={error} />
    </form>
  )
}
