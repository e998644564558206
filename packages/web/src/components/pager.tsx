/** Integers come typed `string | number` from the generated clients (the services coerce query numbers). */
type Pagination = {
  hasMore: boolean
  nextCursor: string
  returnedCount: number | string
  totalCount: number | string
}

/** Cursor paging: back to the first page, on to the next. */
export function Pager(props: {
  pagination: Pagination
  first: boolean
  onFirst: () => void
  onNext: (cursor: string) => void
}) {
  const { pagination: p } = props
  if (props.first && !p.hasMore) return null
  return (
    <nav className="pager" aria-label="Pages">
      <span className="muted">
        {p.returnedCount} of {p.totalCount}
      </span>
      {props.first ? null : (
        <button type="button" onClick={props.onFirst}>
          First page
        </button>
      )}
      {p.hasMore ? (
        <button type="button" onClick={() => props.onNext(p.nextCursor)}>
          Next page
        </button>
      ) : null}
    </nav>
  )
}
