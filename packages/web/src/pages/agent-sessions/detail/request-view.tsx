import { useState } from 'react'
import { WriteError } from '../../../components/states'
import { type Item, useAnswerPermission, useAnswerQuestion } from '../../../data/agent-session'

const DECIDED: Record<string, string> = { once: 'Allowed once', always: 'Always allowed', reject: 'Rejected' }

/** The agent asks to use a tool under `ask`: Allow once, Always, Reject, until someone answered. */
export function PermissionRequest(props: { item: Item; answer?: Item; threadId: string; readOnly: boolean }) {
  const answer = useAnswerPermission(props.threadId)
  if (props.item.body.kind !== 'permission_request') return null
  const body = props.item.body
  const decided = props.answer?.body.kind === 'permission_decision' ? props.answer.body : undefined
  return (
    <fieldset className="item-request" aria-label={`Permission request: ${body.tool}`}>
      <p>
        Asks permission to use <code>{body.tool}</code>
        {body.patterns?.length ? (
          <>
            : <code>{body.patterns.join(', ')}</code>
          </>
        ) : (
          <> ({body.description})</>
        )}
      </p>
      {decided ? (
        <p className="item-meta">
          {DECIDED[decided.decision]} by {decided.by}
          {decided.message ? `: ${decided.message}` : ''}
        </p>
      ) : props.readOnly ? (
        <p className="muted">Waiting for the session's owner.</p>
      ) : (
        <div className="actions">
          {(['once', 'always', 'reject'] as const).map((decision) => (
            <button
              key={decision}
              type="button"
              disabled={answer.isPending || answer.isSuccess}
              onClick={() => answer.mutate({ requestId: body.requestId, decision })}
            >
              {decision === 'once' ? 'Allow once' : decision === 'always' ? 'Always' : 'Reject'}
            </button>
          ))}
        </div>
      )}
      <WriteError error={answer.error} />
    </fieldset>
  )
}

/** The agent's question: its choices as buttons, or a typed answer. */
export function QuestionRequest(props: { item: Item; answer?: Item; threadId: string; readOnly: boolean }) {
  const answer = useAnswerQuestion(props.threadId)
  const [text, setText] = useState('')
  if (props.item.body.kind !== 'question') return null
  const body = props.item.body
  const given = props.answer?.body.kind === 'question_answer' ? props.answer.body : undefined
  const send = (value: string) => answer.mutate({ requestId: body.requestId, answer: value })
  const open = !given && !props.readOnly && !answer.isSuccess
  const fieldId = `answer-${body.requestId}`
  return (
    <fieldset className="item-request" aria-label="Question from the agent">
      {body.questions.map((q) => (
        <div key={`${q.header ?? ''}:${q.question}`}>
          <p>
            <strong>{q.header ?? 'Question'}</strong>: {q.question}
          </p>
          {open && q.options.length ? (
            <div className="actions">
              {q.options.map((o) => (
                <button
                  key={o.label}
                  type="button"
                  title={o.description}
                  disabled={answer.isPending}
                  onClick={() => send(o.label)}
                >
                  {o.label}
                </button>
              ))}
            </div>
          ) : null}
        </div>
      ))}
      {given ? (
        <p className="item-meta">
          {given.rejected
            ? `Declined (${given.by})`
            : `Answered by ${given.by}: ${given.answers.map((a) => a.join(', ')).join('; ')}`}
        </p>
      ) : open ? (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            if (text.trim()) send(text.trim())
          }}
        >
          <label htmlFor={fieldId}>Your answer</label>
          <input id={fieldId} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" disabled={answer.isPending || !text.trim()}>
            Answer
          </button>
        </form>
      ) : props.readOnly ? (
        <p className="muted">Waiting for the session's owner.</p>
      ) : null}
      <WriteError error={answer.error} />
    </fieldset>
  )
}
