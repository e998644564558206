import { Link, useNavigate } from '@tanstack/react-router'
import { useCurrentWorkspace } from '../../app/current-workspace'
import { ArtifactLink } from '../../components/artifact-link'
import { Author, Labels } from '../../components/author'
import { BucketPicker } from '../../components/bucket-picker'
import { Pager } from '../../components/pager'
import { ListState } from '../../components/states'
import { Time } from '../../components/time'
import { can, useSession } from '../../data/auth'
import { ISSUE_BUCKETS, type IssueBucket, type IssueItem, useIssues } from '../../data/dashboard'

export type IssuesSearch = { bucket?: IssueBucket; login?: string; cursor?: string }

export const validateIssuesSearch = (s: Record<string, unknown>): IssuesSearch => ({
  bucket: ISSUE_BUCKETS.includes(s.bucket as IssueBucket) ? (s.bucket as IssueBucket) : undefined,
  login: typeof s.login === 'string' && s.login ? s.login : undefined,
  cursor: typeof s.cursor === 'string' && s.cursor ? s.cursor : undefined,
})

/** What an agent started from an issue is asked to do: the issue itself is its context. */
export const issuePrompt = (i: IssueItem) =>
  `Work on GitHub issue ${i.repo}#${i.number}: ${i.title}\n${i.url}\n\nRead the issue, make the change it asks for, and say what you did.`

/** `/issues?bucket=&login=&cursor=`: one bucket of issues; from a row, the new-session form about it. */
export function IssuesPage({ search }: { search: IssuesSearch }) {
  const { workspace } = useCurrentWorkspace()
  const navigate = useNavigate({ from: '/issues' })
  const bucket = search.bucket ?? 'triage'
  const issues = useIssues({ workspace: workspace.id, ...search, bucket })
  const mayDispatch = can(useSession().data, 'aica:write')
  const go = (next: Partial<IssuesSearch>) => navigate({ search: { ...search, cursor: undefined, ...next } })
  return (
    <section aria-labelledby="issues-title">
      <h1 id="issues-title">Issues</h1>
      <BucketPicker
        buckets={ISSUE_BUCKETS}
        bucket={bucket}
        login={search.login}
        onChange={(b, login) => go({ bucket: b as IssueBucket, login })}
      />
      <ListState
        query={issues}
        what="issues"
        isEmpty={(p) => p.results.length === 0}
        empty={`No issues in “${bucket}”.`}
      >
        {(page) => (
          <>
            <ul className="rows" aria-label={`Issues: ${bucket}`}>
              {page.results.map((i) => (
                <li key={`${i.repo}#${i.number}`} className="row">
                  <div className="row-main">
                    <a className="title" href={i.url} target="_blank" rel="noreferrer">
                      <span className="ref">
                        {i.repo}#{i.number}
                      </span>{' '}
                      {i.title}
                    </a>
                    {i.stale ? <span className="badge not-ready">stale</span> : null}
                    <ArtifactLink kind="issue" repo={i.repo} number={i.number} />
                  </div>
                  <div className="row-meta">
                    <Author author={i.author} />
                    <Labels labels={i.labels} />
                    <span>{i.assignees.length ? `assigned to ${i.assignees.join(', ')}` : 'unassigned'}</span>
                    <span>
                      {i.comments} comment{Number(i.comments) === 1 ? '' : 's'}
                    </span>
                    <span className="muted">
                      opened <Time iso={i.createdAt} />
                    </span>
                  </div>
                  {mayDispatch ? (
                    <div className="row-actions">
                      <Link
                        className="button"
                        to="/agent-sessions/new"
                        search={{ repo: i.repo, prompt: issuePrompt(i) }}
                      >
                        Start an agent on {i.repo}#{i.number}
                      </Link>
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
            <Pager
              pagination={page.pagination}
              first={!search.cursor}
              onFirst={() => go({})}
              onNext={(cursor) => go({ cursor })}
            />
          </>
        )}
      </ListState>
    </section>
  )
}
