import { useState } from 'react'

/** Which bucket, and optionally whose: changing either navigates (the URL is the state). */
export function BucketPicker(props: {
  buckets: readonly string[]
  bucket: string
  login?: string
  onChange: (bucket: string, login: string | undefined) => void
}) {
  const [login, setLogin] = useState(props.login ?? '')
  return (
    <form
      className="toolbar"
      onSubmit={(e) => {
        e.preventDefault()
        props.onChange(props.bucket, login.trim() || undefined)
      }}
    >
      <label>
        Bucket{' '}
        <select value={props.bucket} onChange={(e) => props.onChange(e.target.value, props.login)}>
          {props.buckets.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <label>
        Login{' '}
        <input
          value={login}
          onChange={(e) => setLogin(e.target.value)}
          placeholder="you"
          size={14}
          autoCapitalize="off"
          spellCheck={false}
        />
      </label>
      <button type="submit">Apply</button>
    </form>
  )
}
