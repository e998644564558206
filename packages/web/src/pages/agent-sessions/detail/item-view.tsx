import { useState } from 'react'
import { Markdown } from '../../../components/markdown'
import { WriteError } from '../../../components/states'
import { Time } from '../../../components/time'
import { type Item, useApplyDraft } from '../../../data/agent-session'
import { DiffView } from './diff-view'
import { PermissionRequest, QuestionRequest } from './request-view'

/** A tool call's arguments on one line, cut short: the full arguments are on expand. */
export const oneLine = (input: unknown, max = 120) => {
  const s = typeof input === 'string' ? input : JSON.stringify(input ?? null)
  return s.length > max ? `${s.slice(0, max)}…` : s
}

const pretty = (input: unknown) => (typeof input === 'string' ? input : JSON.stringify(input, null, 2))

/** One transcript entry. A tool call carries its result (another item, shown inside it on expand). */
export function ItemView(props: { item: Item; result?: Item; threadId: string; readOnly: boolean }) {
  const { item, result } = props
  const body = item.body
  switch (body.kind) {
    case 'user_message':
      return (
        <div className="item-user">
          <span className="who">{body.by ?? 'Prompt'}</span>
          <p className="prompt">{body.text}</p>
        </div>
      )
    case 'assistant_text':
      return (
        <div className="item-assistant">
          <Markdown source={body.text} />
        </div>
      )
    case 'reasoning':
      return (
        <details className="item-reasoning">
          <summary>Reasoning</summary>
          <p className="prompt">{body.text}</p>
        </details>
      )
    case 'tool_call': {
      const r = result?.body.kind === 'tool_result' ? result.body : undefined
      return (
        <details className="item-tool">
          <summary>
            <span className="tool-name">{body.tool}</span> <code>{oneLine(body.input)}</code>
            {r?.isError ? <span className="error"> failed</span> : null}
          </summary>
          <h3>Arguments</h3>
          <pre>{pretty(body.input)}</pre>
          <h3>Result</h3>
          {r && result ? (
            <pre data-seq={result.seq}>{r.output}</pre>
          ) : (
            <p className="muted">No result yet.</p>
          )}
        </details>
      )
    }
    case 'tool_result':
      return (
        <details className="item-tool">
          <summary>Tool result ({body.callId})</summary>
          <pre>{body.output}</pre>
        </details>
      )
    case 'file_change':
      return (
        <div className="item-file">
          <p>
            <span className={`change change-${body.change}`}>{body.change}</span> <code>{body.path}</code>
          </p>
          {body.diff ? <DiffView diff={body.diff} path={body.path} /> : null}
        </div>
      )
    case 'draft_comment':
      return <DraftComment item={item} threadId={props.threadId} readOnly={props.readOnly} />
    case 'permission_request':
      return (
        <PermissionRequest item={item} answer={result} threadId={props.threadId} readOnly={props.readOnly} />
      )
    case 'question':
      return (
        <QuestionRequest item={item} answer={result} threadId={props.threadId} readOnly={props.readOnly} />
      )
    case 'permission_decision':
      return (
        <p className="item-meta">
          Permission {body.requestId}: {body.decision} ({body.by})
        </p>
      )
    case 'question_answer':
      return (
        <p className="item-meta">
          Answer to {body.requestId} ({body.by}):{' '}
          {body.rejected ? 'declined' : body.answers.map((a) => a.join(', ')).join('; ')}
        </p>
      )
    case 'usage':
      return (
        <p className="item-meta">
          Usage: {body.inputTokens} tokens in, {body.outputTokens} out
          {body.costUsd !== undefined ? `, $${body.costUsd.toFixed(4)}` : ''}
        </p>
      )
    case 'sandbox':
      return (
        <details className="item-meta">
          <summary>Sandbox: {body.backend}</summary>
          {body.note}
        </details>
      )
    case 'status':
      return (
        <p className="item-meta">
          Status: <strong>{body.status}</strong> <Time iso={item.at} />
          {body.error ? ` (${body.error.message})` : ''}
        </p>
      )
    case 'publish':
      return (
        <p className="item-meta">
          {body.message}
          {body.url && /^https?:\/\//.test(body.url) ? (
            <>
              {' '}
              <a href={body.url} target="_blank" rel="noreferrer noopener">
                {body.url}
              </a>
            </>
          ) : null}
        </p>
      )
    case 'error':
      return (
        <p className="item-error" role="note">
          Error: {body.message} <span className="muted">({body.code})</span>
        </p>
      )
  }
}

function DraftComment({ item, threadId, readOnly }: { item: Item; threadId: string; readOnly: boolean }) {
  const apply = useApplyDraft(threadId)
  const [url, setUrl] = useState<string>()
  if (item.body.kind !== 'draft_comment') return null
  const body = item.body
  return (
    <div className="item-draft">
      <p>
        Draft comment on {body.repo}#{body.issueNumber}
      </p>
      <Markdown source={body.body} />
      {url ? (
        <a href={url} target="_blank" rel="noreferrer noopener">
          Posted comment
        </a>
      ) : readOnly ? null : (
        <button
          type="button"
          disabled={apply.isPending}
          onClick={() => apply.mutate(item.id, { onSuccess: (r) => setUrl(r.commentUrl) })}
        >
          Apply
        </button>
      )}
      <WriteError error={apply.error} />
    </div>
  )
}
