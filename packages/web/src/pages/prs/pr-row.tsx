import { Link } from '@tanstack/react-router'
import { ArtifactLink } from '../../components/artifact-link'
import { Author, Labels } from '../../components/author'
import { AuthorRecordForm } from '../../components/author-record-form'
import { Time } from '../../components/time'
import type { PrItem } from '../../data/dashboard'
import type { AuthorStatus } from '../../data/workspace'

const CHECK_WORDS = { passed: 'passed', failed: 'failed', pending: 'pending', missing: 'missing' } as const

export function PrRow(props: {
  pr: PrItem
  onSetRecord: (status: AuthorStatus, note: string) => Promise<unknown>
}) {
  const { pr } = props
  const r = pr.review
  return (
    <li className="row pr">
      <div className="row-main">
        <a href={pr.url} className="title" target="_blank" rel="noreferrer">
          <span className="ref">
            {pr.repo}#{pr.number}
          </span>{' '}
          {pr.title}
        </a>
        {pr.draft ? <span className="badge draft">draft</span> : null}
        <span className={`badge ${pr.ready ? 'ready' : 'not-ready'}`}>
          {pr.ready ? 'ready' : 'not ready'}
        </span>
        <ArtifactLink kind="pr" repo={pr.repo} number={pr.number} />
      </div>
      <div className="row-meta">
        <Author author={pr.author} />
        <Labels labels={pr.labels} />
        <span className="muted">
          updated <Time iso={pr.updatedAt} />
        </span>
      </div>
      <div className="row-meta">
        <span className={`checks checks-${pr.checks.state}`}>
          Checks: {pr.checks.passed}/{pr.checks.total} passed
          {pr.checks.failed ? `, ${pr.checks.failed} failed` : ''}
          {pr.checks.pending ? `, ${pr.checks.pending} pending` : ''}
        </span>
        {pr.checks.required.length ? (
          <ul className="required" aria-label="Required checks">
            {pr.checks.required.map((c) => (
              <li key={`${c.policy}/${c.pattern}`} className={`req req-${c.state}`}>
                {c.pattern}: {CHECK_WORDS[c.state]}
              </li>
            ))}
          </ul>
        ) : null}
        <span className="review">
          Review: {r.approvals} approval{r.approvals === 1 ? '' : 's'}
          {r.changesRequested ? `, ${r.changesRequested} requesting changes` : ''}
          {r.requestedReviewers.length ? `, waiting on ${r.requestedReviewers.join(', ')}` : ''}
          {r.unresolvedAfterLastCommit
            ? `, ${r.unresolvedAfterLastCommit} unresolved thread${r.unresolvedAfterLastCommit === 1 ? '' : 's'} since the last commit`
            : ''}
        </span>
      </div>
      {pr.notReady.length ? (
        <ul className="reasons" aria-label="Why it is not ready">
          {pr.notReady.map((n) => (
            <li key={`${n.code}:${n.message}`}>{n.message}</li>
          ))}
        </ul>
      ) : null}
      <details className="row-actions">
        <summary>Author: {pr.author.login}</summary>
        <AuthorRecordForm
          login={pr.author.login}
          status={pr.author.record?.status}
          note={pr.author.record?.note}
          onSave={(v) => props.onSetRecord(v.status, v.note)}
        />
        <Link to="/dashboard/vetted-author/$login" params={{ login: pr.author.login }}>
          Open {pr.author.login}'s view
        </Link>
      </details>
    </li>
  )
}
