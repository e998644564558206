import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export { outbox, processedEvents } from '@bosun/service-kit/outbox-table'

/** One issue brief or PR decision log of a workspace, keyed by (repository, kind, number). */
export const artifacts = sqliteTable(
  'artifacts',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    owner: text('owner').notNull(),
    repo: text('repo').notNull(),
    /** Lower-cased `owner/repo`: GitHub names are case-insensitive. */
    repoKey: text('repo_key').notNull(),
    kind: text('kind', { enum: ['issue', 'pr'] }).notNull(),
    number: integer('number').notNull(),
    status: text('status', { enum: ['empty', 'generating', 'ready', 'failed', 'stale'] }).notNull(),
    statusReason: text('status_reason'),
    latestVersion: integer('latest_version').notNull().default(0),
    claimLogin: text('claim_login'),
    claimedAt: integer('claimed_at'),
    claimExpiresAt: integer('claim_expires_at'),
    /** The issue or PR changed while a generation ran: its result is stale at once. */
    changedWhileGenerating: integer('changed_while_generating', { mode: 'boolean' }).notNull().default(false),
    /** An automatic regeneration is owed (set by a change while auto-regeneration is on). */
    autoPending: integer('auto_pending', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('artifacts_workspace_id_repo_key_kind_number_idx').on(
      t.workspaceId,
      t.repoKey,
      t.kind,
      t.number,
    ),
    index('artifacts_repo_key_number_idx').on(t.repoKey, t.number),
    index('artifacts_auto_pending_idx').on(t.autoPending),
  ],
)

export const versions = sqliteTable(
  'versions',
  {
    artifactId: text('artifact_id').notNull(),
    number: integer('number').notNull(),
    content: text('content').notNull(),
    authorKind: text('author_kind', { enum: ['person', 'agent'] }).notNull(),
    authorName: text('author_name').notNull(),
    threadId: text('thread_id'),
    requestedBy: text('requested_by'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.artifactId, t.number] })],
)

/** Each request to write the next version through an AICA thread. */
export const generations = sqliteTable(
  'generations',
  {
    id: text('id').primaryKey(),
    artifactId: text('artifact_id').notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    threadId: text('thread_id'),
    worktreeId: text('worktree_id'),
    agent: text('agent').notNull(),
    requestedBy: text('requested_by').notNull(),
    error: text('error'),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
  },
  (t) => [
    // The database itself keeps generation to one at a time per artifact.
    uniqueIndex('generations_artifact_id_running_idx').on(t.artifactId).where(sql`status = 'running'`),
    index('generations_artifact_id_started_at_idx').on(t.artifactId, t.startedAt),
    index('generations_thread_id_idx').on(t.threadId),
  ],
)

export const settings = sqliteTable('settings', {
  workspaceId: text('workspace_id').primaryKey(),
  autoRegenerate: integer('auto_regenerate', { mode: 'boolean' }).notNull().default(false),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** One row per artifact change, written with it: after the commit it becomes the live message (pruned after a day). */
export const changes = sqliteTable(
  'changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id').notNull(),
    artifactId: text('artifact_id').notNull(),
    type: text('type').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('changes_at_idx').on(t.at)],
)
