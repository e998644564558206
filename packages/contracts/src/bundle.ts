import { type Static, t } from 'elysia'
import { WorkspaceId } from './workspace'

const Time = t.String({ format: 'date-time' })

export const BundleKind = t.Union([
  t.Literal('files'),
  t.Literal('skills'),
  t.Literal('commands'),
  t.Literal('agents'),
])
export type BundleKind = Static<typeof BundleKind>

/** Largest content of one bundle item, and of a whole workspace bundle. */
export const BUNDLE_ITEM_MAX_BYTES = 256 * 1024
export const BUNDLE_TOTAL_MAX_BYTES = 4 * 1024 * 1024

export const BundleName = t.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^(?!\\.{1,2}$)[A-Za-z0-9._-]+$',
  description: 'Letters, digits, . _ -; not . or ..',
})
/** A relative path in the agent's tree: no leading `/`, no `..` or `.` segment, no backslash. */
export const BundlePath = t.String({
  minLength: 1,
  maxLength: 300,
  pattern: '^(?!/)(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._/-]+$',
  description: 'Relative path, e.g. .opencode/agent/reviewer.md; never absolute, never ..',
})

export const BundleItem = t.Object(
  {
    workspaceId: WorkspaceId,
    kind: BundleKind,
    name: BundleName,
    path: t.String(),
    content: t.String(),
    version: t.Integer({ minimum: 1 }),
    createdBy: t.String(),
    createdAt: Time,
    updatedBy: t.String(),
    updatedAt: Time,
  },
  { title: 'BundleItem' },
)
export type BundleItem = Static<typeof BundleItem>

export const BundleList = t.Object(
  { workspaceId: WorkspaceId, digest: t.String(), items: t.Array(BundleItem) },
  { title: 'BundleList' },
)
export type BundleList = Static<typeof BundleList>
export const BundleItemCreate = t.Object(
  {
    workspace: t.Optional(WorkspaceId),
    name: BundleName,
    path: t.Optional(BundlePath),
    content: t.String({ maxLength: BUNDLE_ITEM_MAX_BYTES }),
  },
  { title: 'BundleItemCreate', description: 'Without `path`, the place opencode reads this kind from' },
)
export const BundleItemUpdate = t.Object(
  {
    workspace: t.Optional(WorkspaceId),
    path: t.Optional(BundlePath),
    content: t.String({ maxLength: BUNDLE_ITEM_MAX_BYTES }),
    /** The version being replaced; 409 when another write came first. */
    version: t.Optional(t.Integer({ minimum: 1 })),
  },
  { title: 'BundleItemUpdate' },
)
export const BundleKindParams = t.Object({ kind: BundleKind })
export const BundleItemParams = t.Object({ kind: BundleKind, name: BundleName })
export const WorkspaceQuery = t.Object({ workspace: t.Optional(WorkspaceId) })
