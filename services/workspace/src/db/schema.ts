import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export { outbox, processedEvents } from '@bosun/service-kit/outbox-table'

export const workspaces = sqliteTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Sequence number of the last change; bumped in the same transaction as every change. */
  seq: integer('seq').notNull().default(0),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull(),
})

const ws = () => text('workspace_id').notNull()

export const members = sqliteTable(
  'members',
  {
    workspaceId: ws(),
    loginKey: text('login_key').notNull(),
    login: text('login').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.loginKey] })],
)

export const authorRecords = sqliteTable(
  'author_records',
  {
    workspaceId: ws(),
    loginKey: text('login_key').notNull(),
    login: text('login').notNull(),
    status: text('status', { enum: ['trusted', 'good-enough', 'suspected-slop', 'unknown'] }).notNull(),
    note: text('note').notNull(),
    by: text('by').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.loginKey] })],
)

export const checkPolicies = sqliteTable(
  'check_policies',
  {
    workspaceId: ws(),
    name: text('name').notNull(),
    requiredChecks: text('required_checks', { mode: 'json' }).$type<string[]>().notNull(),
    repos: text('repos', { mode: 'json' }).$type<string[]>().notNull(),
    by: text('by').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
)

export const starredFolders = sqliteTable(
  'starred_folders',
  {
    workspaceId: ws(),
    name: text('name').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
)

export const starredComments = sqliteTable(
  'starred_comments',
  {
    workspaceId: ws(),
    commentId: text('comment_id').notNull(),
    url: text('url').notNull(),
    body: text('body').notNull(),
    author: text('author').notNull(),
    repo: text('repo'),
    prNumber: integer('pr_number'),
    folder: text('folder'),
    by: text('by').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.commentId] })],
)

export const repositories = sqliteTable(
  'repositories',
  {
    workspaceId: ws(),
    fullNameKey: text('full_name_key').notNull(),
    fullName: text('full_name').notNull(),
    defaultBranch: text('default_branch').notNull(),
    isDefaultForAgents: integer('is_default_for_agents', { mode: 'boolean' }).notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.fullNameKey] })],
)

/** Every change in order, for realtime resume (`?since=`) and gap filling across instances. */
export const changes = sqliteTable(
  'changes',
  {
    workspaceId: ws(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: text('data').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.seq] })],
)
