import { useState } from 'react'
import { WriteError } from './states'

/** A destructive action's button that asks once more before it acts, and shows why it failed. */
export function ConfirmButton(props: { label: string; confirm: string; onConfirm: () => Promise<unknown> }) {
  const [asking, setAsking] = useState(false)
  const [error, setError] = useState<unknown>(null)
  if (!asking)
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {props.label}
      </button>
    )
  return (
    <span className="confirm">
      <button
        type="button"
        className="danger"
        onClick={() =>
          props
            .onConfirm()
            .then(() => setAsking(false))
            .catch(setError)
        }
      >
        {props.confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      <WriteError error={error} />
    </span>
  )
}
