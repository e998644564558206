import { useNavigate } from '@tanstack/react-router'
import { useState } from 'react'
import { ApiError } from '../../../api/errors'
import { useCurrentWorkspace } from '../../../app/current-workspace'
import { WriteError } from '../../../components/states'
import { type DispatchBody, useStartSession } from '../../../data/agent-sessions'
import { useBundle } from '../../../data/aica'
import { useSnapshot } from '../../../data/workspace'

export type NewSessionSearch = { repo?: string; prompt?: string }

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
export const validateNewSessionSearch = (s: Record<string, unknown>): NewSessionSearch => ({
  repo: str(s.repo),
  prompt: str(s.prompt),
})

type EnvRow = { name: string; value: string }

/** `/agent-sessions/new?repo=&prompt=`: dispatch an agent into a fresh worktree, then open its session. */
export function NewSessionPage({ search }: { search: NewSessionSearch }) {
  const { workspace } = useCurrentWorkspace()
  const navigate = useNavigate()
  const repos = useSnapshot(workspace.id).data?.repositories
  const agents = useBundle(workspace.id, 'agents').data?.items ?? []
  const start = useStartSession(workspace.id)
  const [repo, setRepo] = useState(search.repo)
  const [ref, setRef] = useState('')
  const [prompt, setPrompt] = useState(search.prompt ?? '')
  const [agent, setAgent] = useState('')
  const [model, setModel] = useState('')
  const [provider, setProvider] = useState('')
  const [visibility, setVisibility] = useState<'personal' | 'team'>('personal')
  const [env, setEnv] = useState<EnvRow[]>([])
  const chosen = repo ?? repos?.find((r) => r.isDefaultForAgents)?.fullName ?? repos?.[0]?.fullName ?? ''
  const branch = repos?.find((r) => r.fullName === chosen)?.defaultBranch

  const submit = () => {
    const named = env.filter((e) => e.name.trim())
    const body: DispatchBody = {
      workspace: workspace.id,
      repo: chosen || undefined,
      ref: ref.trim() || undefined,
      prompt,
      agent: agent || undefined,
      model: model.trim() || undefined,
      provider: provider.trim() || undefined,
      visibility,
      extraEnv: named.length ? Object.fromEntries(named.map((e) => [e.name.trim(), e.value])) : undefined,
    }
    start.mutate(body, {
      onSuccess: ({ thread }) =>
        navigate({
          to: '/agent-sessions/worktrees/$wtId/threads/$thrId',
          params: { wtId: thread.worktreeId, thrId: thread.id },
        }),
    })
  }

  return (
    <section aria-labelledby="new-session-title">
      <h1 id="new-session-title">New agent session</h1>
      <form
        className="stack-form"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <label>
          Repository
          <select value={chosen} onChange={(e) => setRepo(e.target.value)} required disabled={!repos}>
            {repos ? null : <option value="">Loading…</option>}
            {(repos ?? []).map((r) => (
              <option key={r.fullName} value={r.fullName}>
                {r.fullName}
                {r.isDefaultForAgents ? ' (default for agents)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Ref
          <input
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            placeholder={branch ? `${branch} (the default branch)` : 'the default branch'}
            pattern="[A-Za-z0-9._/\-]+"
          />
        </label>
        <label>
          Prompt
          <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={6} required />
        </label>
        <fieldset>
          <legend>Agent</legend>
          <label>
            Agent
            <select value={agent} onChange={(e) => setAgent(e.target.value)}>
              <option value="">The configured default</option>
              {agents.map((a) => (
                <option key={a.name} value={a.name}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Model
            <input
              value={model}
              onChange={(e) => setModel(e.target.value)}
              placeholder="the configured default"
            />
          </label>
          <label>
            Provider
            <input
              value={provider}
              onChange={(e) => setProvider(e.target.value)}
              placeholder="the configured default"
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>Who can see it</legend>
          <label>
            <input
              type="radio"
              name="visibility"
              checked={visibility === 'personal'}
              onChange={() => setVisibility('personal')}
            />{' '}
            Only me
          </label>
          <label>
            <input
              type="radio"
              name="visibility"
              checked={visibility === 'team'}
              onChange={() => setVisibility('team')}
            />{' '}
            The team
          </label>
        </fieldset>
        <fieldset>
          <legend>Bring your own key</legend>
          <p className="muted">
            Environment variables for this run only (an API key, say). They are handed to the agent once and
            never stored.
          </p>
          {env.map((row, i) => (
            // Rows have no identity but their place; they are only added at the end and removed by index.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <div className="env-row" key={i}>
              <label>
                Name
                <input
                  value={row.name}
                  onChange={(e) => setEnv(env.map((r, j) => (j === i ? { ...r, name: e.target.value } : r)))}
                />
              </label>
              <label>
                Value
                <input
                  type="password"
                  autoComplete="off"
                  value={row.value}
                  onChange={(e) => setEnv(env.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
                />
              </label>
              <button type="button" onClick={() => setEnv(env.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setEnv([...env, { name: '', value: '' }])}>
            Add a variable
          </button>
        </fieldset>
        <WriteError error={start.error} />
        <RefusedNames error={start.error} />
        {/* Sent before the repositories are in, the form would start on whatever the server defaults to. */}
        <button type="submit" disabled={!repos || start.isPending || !prompt.trim()}>
          {start.isPending ? 'Starting…' : 'Start session'}
        </button>
      </form>
    </section>
  )
}

/** The server's word on each extraEnv name it refused, so the person sees which row to change. */
function RefusedNames({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return null
  const refused = (error.details as { path?: unknown; message?: unknown }[]).flatMap((d) =>
    typeof d.path === 'string' && d.path.startsWith('/extraEnv/')
      ? [{ name: d.path.slice('/extraEnv/'.length), message: String(d.message ?? 'refused') }]
      : [],
  )
  if (refused.length === 0) return null
  return (
    <ul className="error" aria-label="Refused variables">
      {refused.map((r) => (
        <li key={r.name}>
          {r.name}: {r.message}
        </li>
      ))}
    </ul>
  )
}
