import { useState } from 'react'
import { CodeEditor } from '../../components/code-editor'
import { WriteError } from '../../components/states'
import type { BundleKind } from '../../data/aica'

export function NewItemForm(props: {
  kind: BundleKind
  onCreate: (v: { name: string; path?: string; content: string }) => Promise<unknown>
}) {
  const [name, setName] = useState('')
  const [path, setPath] = useState('')
  const [content, setContent] = useState('')
  const [error, setError] = useState<unknown>(null)
  return (
    <form
      className="stack-form"
      aria-label={`New ${props.kind} item`}
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        props
          .onCreate({ name: name.trim(), path: path.trim() || undefined, content })
          .then(() => {
            setName('')
            setPath('')
            setContent('')
          })
          .catch(setError)
      }}
    >
      <h2>Add to {props.kind}</h2>
      <label>
        Name <input name="item-name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {props.kind === 'files'
          ? "Path in the agent's tree"
          : `Path (optional: by default where opencode reads ${props.kind} from)`}
        <input
          name="item-path"
          required={props.kind === 'files'}
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
      </label>
      <CodeEditor label="Content" value={content} onChange={setContent} />
      <div>
        <button type="submit">Add {props.kind.replace(/s$/, '')}</button>
      </div>
      <WriteError error={error} />
    </form>
  )
}
