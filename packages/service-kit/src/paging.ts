import { DEFAULT_PAGE_SIZE, type Pagination } from '@bosun/contracts/pagination'
import { invalid } from './errors'

/** Opaque cursors: base64url JSON of the position, so clients can't depend on their form. */
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o: unknown }
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o
  } catch {}
  throw invalid('Invalid cursor', [{ in: 'query', path: '/cursor', message: 'not a cursor from this list' }])
}

export const encodeCursor = (offset: number) =>
  Buffer.from(JSON.stringify({ o: offset })).toString('base64url')

/** Slices one page of an already-filtered, sorted list in the spec-004 shape. */
export function paginate<T>(
  all: readonly T[],
  query: { cursor?: string; page_size?: number },
): { results: T[]; pagination: Pagination } {
  const pageSize = query.page_size ?? DEFAULT_PAGE_SIZE
  const offset = decodeCursor(query.cursor)
  const results = all.slice(offset, offset + pageSize)
  const hasMore = offset + results.length < all.length
  return {
    results,
    pagination: {
      pageSize,
      cursor: query.cursor ?? '',
      nextCursor: hasMore ? encodeCursor(offset + results.length) : '',
      hasMore,
      returnedCount: results.length,
      totalCount: all.length,
    },
  }
}
