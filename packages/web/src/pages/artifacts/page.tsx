import { useEffect, useState } from 'react'
import { ApiError } from '../../api/errors'
import { useCurrentWorkspace } from '../../app/current-workspace'
import { Markdown } from '../../components/markdown'
import { ErrorNote, ListState, Loading, WriteError } from '../../components/states'
import { Time } from '../../components/time'
import {
  type Artifact,
  type ArtifactKind,
  type ArtifactRef,
  releaseOnLeave,
  useArtifact,
  useArtifactActions,
  useArtifactsLive,
  useVersions,
} from '../../data/artifacts'
import { can, useSession } from '../../data/auth'
import { VersionDiff } from './version-diff'

const NAMES: Record<ArtifactKind, string> = { issue: 'Issue brief', pr: 'Decision log' }
const STATUS_WORDS: Record<Artifact['status'], string> = {
  empty: 'not written yet',
  generating: 'being written by an agent',
  ready: 'current',
  failed: 'last generation failed',
  stale: 'out of date',
}

/** `/artifacts/:kind/:owner/:repo/:number`: the issue brief or PR decision log, its history, generation and editing. */
export function ArtifactPage(props: { kind: ArtifactKind; owner: string; repo: string; number: number }) {
  const { workspace } = useCurrentWorkspace()
  const ref: ArtifactRef = { workspace: workspace.id, ...props }
  useArtifactsLive(workspace.id)
  const artifact = useArtifact(ref)
  const session = useSession().data
  const me = session?.user.login ?? ''
  const writable = can(session, 'team_artifacts:write')
  const title = `${NAMES[props.kind]} · ${props.owner}/${props.repo}#${props.number}`
  return (
    <section aria-labelledby="artifact-title">
      <h1 id="artifact-title">{title}</h1>
      {artifact.isPending ? <Loading what={NAMES[props.kind].toLowerCase()} /> : null}
      {artifact.error ? <ErrorNote error={artifact.error} what={NAMES[props.kind].toLowerCase()} /> : null}
      {artifact.data !== undefined ? (
        <ArtifactView artifactRef={ref} artifact={artifact.data} me={me} writable={writable} />
      ) : null}
    </section>
  )
}

function ArtifactView(props: {
  artifactRef: ArtifactRef
  artifact: Artifact | null
  me: string
  writable: boolean
}) {
  const { artifact, me } = props
  const actions = useArtifactActions(props.artifactRef)
  const [editing, setEditing] = useState<{ base: number; text: string } | null>(null)
  const claim = artifact?.claim ?? null
  const heldByOther = claim !== null && claim.login.toLowerCase() !== me.toLowerCase()
  const generating = artifact?.status === 'generating'
  const what = NAMES[props.artifactRef.kind].toLowerCase()

  // A claim is released when the person leaves the page or closes the tab while editing.
  const editingId = editing && artifact ? artifact.id : undefined
  useEffect(() => {
    if (!editingId) return
    const ws = props.artifactRef.workspace
    const leave = () => void releaseOnLeave(ws, editingId)
    window.addEventListener('pagehide', leave)
    return () => {
      window.removeEventListener('pagehide', leave)
      leave()
    }
  }, [editingId, props.artifactRef.workspace])

  const startEditing = () =>
    actions.claim.mutate(undefined, {
      onSuccess: (a) => setEditing({ base: Number(a.latestVersion), text: a.content ?? '' }),
    })
  const save = () => {
    if (!artifact || !editing) return
    actions.edit.mutate(
      { artifactId: artifact.id, content: editing.text, baseVersion: editing.base },
      {
        onSuccess: () => {
          setEditing(null)
          actions.release.mutate(artifact.id)
        },
      },
    )
  }
  const conflict = actions.edit.error instanceof ApiError && actions.edit.error.status === 409
  const gen = artifact?.generation ?? null

  return (
    <>
      <p className="artifact-status" aria-live="polite">
        <span className={`badge artifact-${artifact?.status ?? 'empty'}`}>{artifact?.status ?? 'empty'}</span>{' '}
        {STATUS_WORDS[artifact?.status ?? 'empty']}
        {artifact?.statusReason ? `: ${artifact.statusReason}` : ''}
        {artifact?.author ? (
          <span className="muted">
            {' '}
            · version {artifact.latestVersion} by {artifact.author.kind === 'agent' ? 'the agent ' : ''}
            {artifact.author.name}, <Time iso={artifact.updatedAt} />
          </span>
        ) : null}
      </p>
      {generating && gen?.threadId ? (
        <p className="notice" role="status">
          An agent is writing the next version.{' '}
          {/* Only the thread id is known here: the gateway answers its old address with the session page's. */}
          <a href={`/agent-sessions/${gen.threadId}`}>Watch its session</a>
        </p>
      ) : null}
      {heldByOther && claim ? (
        <p className="notice" role="status">
          Being edited by {claim.login} until {new Date(claim.expiresAt).toLocaleTimeString()}.
        </p>
      ) : null}
      {props.writable && !editing ? (
        <div className="toolbar">
          <button
            type="button"
            disabled={generating || actions.generate.isPending}
            onClick={() => actions.generate.mutate()}
          >
            {generating ? 'Generating…' : `Generate ${what}`}
          </button>
          <button type="button" disabled={heldByOther || actions.claim.isPending} onClick={startEditing}>
            Edit {what}
          </button>
        </div>
      ) : null}
      <WriteError error={actions.generate.error ?? actions.claim.error} />
      {editing ? (
        <form
          className="artifact-editor"
          onSubmit={(e) => {
            e.preventDefault()
            save()
          }}
        >
          <label htmlFor="artifact-markdown">Markdown of the {what}</label>
          <textarea
            id="artifact-markdown"
            rows={18}
            value={editing.text}
            onChange={(e) => setEditing({ ...editing, text: e.target.value })}
          />
          <div className="toolbar">
            <button type="submit" disabled={actions.edit.isPending}>
              Save {what}
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(null)
                if (artifact) actions.release.mutate(artifact.id)
              }}
            >
              Cancel
            </button>
          </div>
          {conflict ? (
            <p className="error" role="alert">
              Someone saved a newer version while you edited. Your text is still here;{' '}
              <button
                type="button"
                className="link"
                onClick={() => setEditing({ base: Number(artifact?.latestVersion ?? 0), text: editing.text })}
              >
                save it on top of version {artifact?.latestVersion}
              </button>{' '}
              after comparing it in the history below.
            </p>
          ) : (
            <WriteError error={actions.edit.error} />
          )}
        </form>
      ) : artifact?.content ? (
        <article className="artifact-content" aria-label={NAMES[props.artifactRef.kind]}>
          <Markdown source={artifact.content} />
        </article>
      ) : (
        <p className="empty">
          No {what} yet.{props.writable ? ' Generate one, or write it.' : ''}
        </p>
      )}
      {artifact && Number(artifact.latestVersion) > 0 ? (
        <History workspace={props.artifactRef.workspace} artifact={artifact} />
      ) : null}
    </>
  )
}

function History(props: { workspace: string; artifact: Artifact }) {
  const versions = useVersions(props.workspace, props.artifact.id)
  const latest = Number(props.artifact.latestVersion)
  const [pair, setPair] = useState<{ from: number; to: number } | null>(null)
  const from = pair?.from ?? Math.max(1, latest - 1)
  const to = pair?.to ?? latest
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ListState
        query={versions}
        what="versions"
        isEmpty={(p) => p.results.length === 0}
        empty="No versions."
      >
        {(page) => (
          <>
            <ol className="rows" aria-label="Versions" reversed>
              {page.results.map((v) => (
                <li key={v.number} className="row">
                  <div className="row-main">
                    <span className="badge">v{v.number}</span>
                    <span>
                      {v.author.kind === 'agent' ? `agent ${v.author.name}` : v.author.name}
                      {v.author.requestedBy ? `, asked by ${v.author.requestedBy}` : ''}
                    </span>
                    <span className="muted">
                      <Time iso={v.createdAt} /> · {v.chars} characters
                    </span>
                    {v.author.threadId ? <a href={`/agent-sessions/${v.author.threadId}`}>session</a> : null}
                  </div>
                </li>
              ))}
            </ol>
            {latest > 1 ? (
              <>
                <div className="toolbar">
                  <label>
                    Compare version{' '}
                    <select value={from} onChange={(e) => setPair({ from: Number(e.target.value), to })}>
                      {page.results.map((v) => (
                        <option key={v.number} value={Number(v.number)}>
                          v{v.number}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    with{' '}
                    <select value={to} onChange={(e) => setPair({ from, to: Number(e.target.value) })}>
                      {page.results.map((v) => (
                        <option key={v.number} value={Number(v.number)}>
                          v{v.number}
                        </option>
                      ))}
                    </select>
                  </label>
                </div>
                <VersionDiff workspace={props.workspace} artifactId={props.artifact.id} from={from} to={to} />
              </>
            ) : null}
          </>
        )}
      </ListState>
    </section>
  )
}
