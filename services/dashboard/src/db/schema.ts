import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export { processedEvents } from '@bosun/service-kit/outbox-table'

/** Workspace memberships, projected from workspace events: which workspace is a caller's default. */
export const memberships = sqliteTable(
  'memberships',
  {
    workspaceId: text('workspace_id').notNull(),
    loginKey: text('login_key').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.loginKey] }),
    index('memberships_login_key_idx').on(t.loginKey),
  ],
)

/** Workspaces that exist, projected from workspace.created: an admin's default when there is only one. */
export const workspaces = sqliteTable('workspaces', { id: text('id').primaryKey() })
