import { useNavigate } from '@tanstack/react-router'
import { useCurrentWorkspace } from '../../app/current-workspace'
import { BucketPicker } from '../../components/bucket-picker'
import { Pager } from '../../components/pager'
import { ListState } from '../../components/states'
import { PR_BUCKETS, type PrBucket, usePrs } from '../../data/dashboard'
import { useSetAuthorRecord } from '../../data/workspace'
import { PrRow } from './pr-row'

export type PrsSearch = { bucket?: PrBucket; login?: string; cursor?: string }

export const validatePrsSearch = (s: Record<string, unknown>): PrsSearch => ({
  bucket: PR_BUCKETS.includes(s.bucket as PrBucket) ? (s.bucket as PrBucket) : 'ready',
  login: typeof s.login === 'string' && s.login ? s.login : undefined,
  cursor: typeof s.cursor === 'string' && s.cursor ? s.cursor : undefined,
})

/** `/prs?bucket=&login=&cursor=`: one bucket of pull requests across the workspace's repositories. */
export function PrsPage({ search }: { search: PrsSearch }) {
  const { workspace } = useCurrentWorkspace()
  const navigate = useNavigate({ from: '/prs' })
  const bucket = search.bucket ?? 'ready'
  const prs = usePrs({ workspace: workspace.id, ...search, bucket })
  const setRecord = useSetAuthorRecord(workspace.id)
  const go = (next: Partial<PrsSearch>) => navigate({ search: { ...search, cursor: undefined, ...next } })
  return (
    <section aria-labelledby="prs-title">
      <h1 id="prs-title">Pull requests</h1>
      <BucketPicker
        buckets={PR_BUCKETS}
        bucket={bucket}
        login={search.login}
        onChange={(bucket, login) => go({ bucket: bucket as PrBucket, login })}
      />
      <ListState
        query={prs}
        what="pull requests"
        isEmpty={(p) => p.results.length === 0}
        empty={`No pull requests in “${bucket}”.`}
      >
        {(page) => (
          <>
            {page.unavailableRepos.map((r) => (
              <p key={r.repo} className="warning">
                {r.repo} could not be read: {r.reason}
              </p>
            ))}
            <ul className="rows" aria-label={`Pull requests: ${bucket}`}>
              {page.results.map((pr) => (
                <PrRow
                  key={`${pr.repo}#${pr.number}`}
                  pr={pr}
                  onSetRecord={(status, note) =>
                    setRecord.mutateAsync({ login: pr.author.login, status, note })
                  }
                />
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
