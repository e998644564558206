import { useCurrentWorkspace } from '../../../app/current-workspace'
import { AuthorRecordForm } from '../../../components/author-record-form'
import { ListState } from '../../../components/states'
import { Time } from '../../../components/time'
import { useVettedAuthor, type VettedAuthor } from '../../../data/dashboard'
import { useSetAuthorRecord } from '../../../data/workspace'

/** `/dashboard/vetted-author/:login`: one author's record and their recent pull requests and issues. */
export function VettedAuthorPage({ login }: { login: string }) {
  const { workspace } = useCurrentWorkspace()
  const author = useVettedAuthor(workspace.id, login)
  const setRecord = useSetAuthorRecord(workspace.id)
  return (
    <section aria-labelledby="author-title">
      <h1 id="author-title">{login}</h1>
      <ListState query={author} what={`${login}'s history`} isEmpty={() => false} empty={null}>
        {(a) => (
          <>
            <p>
              {a.member ? 'A member of this workspace. ' : 'Not a member of this workspace. '}
              {a.record ? (
                <>
                  Recorded <strong>{a.record.status}</strong>
                  {a.record.note ? ` (“${a.record.note}”)` : ''} by {a.record.by}, <Time iso={a.record.at} />.
                </>
              ) : (
                'No author record yet.'
              )}
            </p>
            <AuthorRecordForm
              key={`${a.record?.status}:${a.record?.note}`}
              login={a.login}
              status={a.record?.status}
              note={a.record?.note}
              submitLabel={a.record ? 'Re-assess' : 'Set record'}
              onSave={(v) => setRecord.mutateAsync(v)}
            />
            <History title="Pull requests" items={a.pullRequests} />
            <History title="Issues" items={a.issues} />
          </>
        )}
      </ListState>
    </section>
  )
}

function History({ title, items }: { title: string; items: VettedAuthor['pullRequests'] }) {
  return (
    <>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="empty">None in this workspace's repositories.</p>
      ) : (
        <ul className="rows">
          {items.map((i) => (
            <li key={`${i.repo}#${i.number}`} className="row">
              <div className="row-main">
                <a className="title" href={i.url} target="_blank" rel="noreferrer">
                  <span className="ref">
                    {i.repo}#{i.number}
                  </span>{' '}
                  {i.title}
                </a>
                <span className="badge">{i.mergedAt ? 'merged' : i.state}</span>
                {i.draft ? <span className="badge">draft</span> : null}
              </div>
              <div className="row-meta muted">
                updated <Time iso={i.updatedAt} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
