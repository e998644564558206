import { useState } from 'react'
import { useCurrentWorkspace } from '../../../app/current-workspace'
import { ConfirmButton } from '../../../components/confirm-button'
import { ListState, WriteError } from '../../../components/states'
import { Time } from '../../../components/time'
import {
  type CredsInput,
  PROVIDER_KINDS,
  type ProviderKind,
  useDeleteSharedCreds,
  useSaveSharedCreds,
  useSharedCreds,
} from '../../../data/aica'

/** The model provider key the team's agents share: checked with the provider before it is saved, never shown. */
export function SharedCredsSection() {
  const { workspace } = useCurrentWorkspace()
  const creds = useSharedCreds(workspace.id)
  const save = useSaveSharedCreds(workspace.id)
  const remove = useDeleteSharedCreds(workspace.id)
  return (
    <>
      <ListState query={creds} what="shared credentials" isEmpty={() => false} empty={null}>
        {(c) =>
          c.hasKey ? (
            <p>
              A <strong>{c.kind}</strong> key is stored
              {c.baseURL ? ` for ${c.baseURL}` : ''}
              {c.model ? `, model ${c.model}` : ''}
              {c.updatedBy ? `, set by ${c.updatedBy}` : ''}
              {c.updatedAt ? (
                <>
                  {' '}
                  <Time iso={c.updatedAt} />
                </>
              ) : null}
              .{' '}
              <ConfirmButton
                label="Remove the key"
                confirm="Yes, remove it"
                onConfirm={() => remove.mutateAsync()}
              />
            </p>
          ) : (
            <p className="empty">No shared key: agents use the deployment's default provider.</p>
          )
        }
      </ListState>
      <CredsForm onSave={(v) => save.mutateAsync(v)} />
    </>
  )
}

function CredsForm({ onSave }: { onSave: (v: CredsInput) => Promise<unknown> }) {
  const [kind, setKind] = useState<ProviderKind>('openai')
  const [apiKey, setApiKey] = useState('')
  const [baseURL, setBaseURL] = useState('')
  const [model, setModel] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form
      className="stack-form"
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        setBusy(true)
        onSave({ kind, apiKey, baseURL: baseURL.trim() || undefined, model: model.trim() || undefined })
          .then(() => setApiKey(''))
          .catch(setError)
          .finally(() => setBusy(false))
      }}
    >
      <label>
        Provider
        <select value={kind} onChange={(e) => setKind(e.target.value as ProviderKind)}>
          {PROVIDER_KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      <label>
        API key
        <input
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
        />
      </label>
      <label>
        Base URL (optional)
        <input name="base-url" type="url" value={baseURL} onChange={(e) => setBaseURL(e.target.value)} />
      </label>
      <label>
        Model (optional)
        <input name="model" value={model} onChange={(e) => setModel(e.target.value)} />
      </label>
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking the key…' : 'Check and save key'}
        </button>
      </div>
      <WriteError error={error} />
    </form>
  )
}
