import { DEFAULT_PAGE_SIZE, type Pagination } from '@bosun/contracts/pagination'
import { invalid } from './errors'

/** Opaque cursors: base64url JSON of the position, so clients can't depend on their form. */
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o: unknown }
    // A forged offset past what SQL binds as an integer (1e300 is an "integer") would be a 500, not a 400.
    if (typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) return o
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

export type CursorKey = Array<string | number>

/**
 * Keyset cursors, for lists read page by page from SQL while rows keep arriving (an offset would repeat or skip
 * rows): the last row's sort key, tied to the order it was read in so a cursor from another sort is refused.
 */
export const encodeKeyCursor = (order: string, key: CursorKey) =>
  Buffer.from(JSON.stringify({ s: order, k: key })).toString('base64url')

export function decodeKeyCursor(
  cursor: string | undefined,
  order: string,
  arity: number,
): CursorKey | undefined {
  if (!cursor) return undefined
  try {
    const { s, k } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { s: unknown; k: unknown }
    // The key is bound into SQL one value per column: a forged short one would bind `undefined` (a 500).
    const fits = Array.isArray(k) && k.length === arity
    const bindable = (v: unknown) =>
      typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))
    if (s === order && fits && k.every(bindable)) return k
  } catch {}
  throw invalid('Invalid cursor', [
    { in: 'query', path: '/cursor', message: 'not a cursor from this list and sort' },
  ])
}
