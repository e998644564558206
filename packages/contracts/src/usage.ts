import { type Static, t } from 'elysia'
import { PageQuery, Pagination } from './pagination'
import { WorkspaceId } from './workspace'

/** Tokens and cost, summed over usage items (a thread's, or a group's in `GET /api/usage`). */
export const UsageTotals = t.Object(
  {
    inputTokens: t.Integer({ minimum: 0 }),
    outputTokens: t.Integer({ minimum: 0 }),
    cacheReadTokens: t.Integer({ minimum: 0 }),
    cacheWriteTokens: t.Integer({ minimum: 0 }),
    costUsd: t.Number({ minimum: 0, description: 'As the provider reported it; 0 when it reports none' }),
  },
  { title: 'UsageTotals' },
)
export type UsageTotals = Static<typeof UsageTotals>

export const UsageGroupBy = t.Union([
  t.Literal('user'),
  t.Literal('repo'),
  t.Literal('day'),
  t.Literal('thread'),
])
export type UsageGroupBy = Static<typeof UsageGroupBy>

const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'UTC day, YYYY-MM-DD' })

export const UsageQuery = t.Object({
  ...PageQuery,
  workspace: WorkspaceId,
  from: t.Optional(t.Union([Day, t.String({ format: 'date-time' })], { description: 'Inclusive start' })),
  to: t.Optional(
    t.Union([Day, t.String({ format: 'date-time' })], {
      description: 'Exclusive end (a day: through its end)',
    }),
  ),
  groupBy: t.Optional(UsageGroupBy),
})
export type UsageQuery = Static<typeof UsageQuery>

/** One group of usage: `key` is the user id, `owner/repo`, `YYYY-MM-DD` or thread id, per `groupBy`. */
export const UsageRow = t.Composite(
  [
    t.Object({
      key: t.String(),
      /** A readable name for the key: the user's login for `user`, else the key. */
      label: t.String(),
      records: t.Integer({ minimum: 0, description: 'Usage items summed' }),
    }),
    UsageTotals,
  ],
  { title: 'UsageRow' },
)
export type UsageRow = Static<typeof UsageRow>

export const UsagePage = t.Object(
  {
    results: t.Array(UsageRow),
    pagination: Pagination,
    /** Over every group of the query, not just this page. */
    totals: UsageTotals,
  },
  { title: 'UsagePage' },
)
export type UsagePage = Static<typeof UsagePage>
