import { type Static, type TSchema, t } from 'elysia'

/** List conventions of spec 004, used by every list endpoint. */
export const Direction = t.Union(
  [t.Literal('asc'), t.Literal('ascending'), t.Literal('desc'), t.Literal('descending')],
  { description: 'Sort direction' },
)
export type Direction = Static<typeof Direction>

export const isDescending = (d: Direction | undefined) => d === 'desc' || d === 'descending'

export const MAX_PAGE_SIZE = 200
export const DEFAULT_PAGE_SIZE = 50

export const PageQuery = {
  cursor: t.Optional(t.String({ maxLength: 512, description: 'Opaque cursor from a previous page' })),
  page_size: t.Optional(t.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: 'Items per page' })),
  direction: t.Optional(Direction),
}

export const Pagination = t.Object({
  pageSize: t.Integer(),
  cursor: t.String(),
  nextCursor: t.String(),
  hasMore: t.Boolean(),
  returnedCount: t.Integer(),
  totalCount: t.Integer(),
})
export type Pagination = Static<typeof Pagination>

export function Page<T extends TSchema>(item: T, title: string) {
  return t.Object({ results: t.Array(item), pagination: Pagination }, { title })
}
