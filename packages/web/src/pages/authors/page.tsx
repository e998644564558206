import { Link } from '@tanstack/react-router'
import { useCurrentWorkspace } from '../../app/current-workspace'
import { AuthorRecordForm } from '../../components/author-record-form'
import { ConfirmButton } from '../../components/confirm-button'
import { ListState } from '../../components/states'
import { Time } from '../../components/time'
import { can, useSession } from '../../data/auth'
import { useRemoveAuthorRecord, useSetAuthorRecord, useSnapshot } from '../../data/workspace'

/** `/authors`: the workspace's author records, live; writers set, re-assess and remove them. */
export function AuthorsPage() {
  const { workspace } = useCurrentWorkspace()
  const snapshot = useSnapshot(workspace.id)
  const set = useSetAuthorRecord(workspace.id)
  const remove = useRemoveAuthorRecord(workspace.id)
  const writer = can(useSession().data, 'team_authors:write')
  return (
    <section aria-labelledby="authors-title">
      <h1 id="authors-title">Vetted authors</h1>
      {writer ? (
        <>
          <h2>Record an author</h2>
          <AuthorRecordForm onSave={(v) => set.mutateAsync(v)} />
        </>
      ) : null}
      <h2>Records</h2>
      <ListState
        query={snapshot}
        what="author records"
        isEmpty={(s) => s.authorRecords.length === 0}
        empty="No author records yet."
      >
        {(s) => (
          <ul className="rows" aria-label="Author records">
            {s.authorRecords.map((r) => (
              <li key={r.login} className="row">
                <div className="row-main">
                  <Link to="/dashboard/vetted-author/$login" params={{ login: r.login }}>
                    {r.login}
                  </Link>
                  <span className={`badge status-${r.status}`}>{r.status}</span>
                  {r.note ? <span>“{r.note}”</span> : null}
                  <span className="muted">
                    by {r.by}, <Time iso={r.at} />
                  </span>
                </div>
                {writer ? (
                  <details className="row-actions">
                    <summary>Re-assess {r.login}</summary>
                    <AuthorRecordForm
                      login={r.login}
                      status={r.status}
                      note={r.note}
                      submitLabel="Re-assess"
                      onSave={(v) => set.mutateAsync(v)}
                    />
                    <ConfirmButton
                      label={`Remove ${r.login}'s record`}
                      confirm="Yes, remove it"
                      onConfirm={() => remove.mutateAsync(r.login)}
                    />
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </ListState>
    </section>
  )
}
