import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export { outbox, processedEvents } from '@bosun/service-kit/outbox-table'

export const worktrees = sqliteTable(
  'worktrees',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    repo: text('repo').notNull(),
    ref: text('ref').notNull(),
    visibility: text('visibility', { enum: ['personal', 'team'] }).notNull(),
    creatorId: text('creator_id').notNull(),
    creatorLogin: text('creator_login').notNull(),
    restoredFrom: text('restored_from'),
    sandboxBackend: text('sandbox_backend'),
    sandboxNote: text('sandbox_note'),
    /** The worktree's line counts against its base, as the runner last reported them; null before any. */
    changesFiles: integer('changes_files'),
    changesAdditions: integer('changes_additions'),
    changesDeletions: integer('changes_deletions'),
    createdAt: integer('created_at').notNull(),
    archivedAt: integer('archived_at'),
  },
  (t) => [index('worktrees_workspace_id_created_at_idx').on(t.workspaceId, t.createdAt)],
)

/** Relay tokens by SHA-256; a worktree may hold several (one per dispatch, plus renewals) until they expire. */
export const relayTokens = sqliteTable(
  'relay_tokens',
  {
    hash: text('hash').primaryKey(),
    worktreeId: text('worktree_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('relay_tokens_worktree_id_idx').on(t.worktreeId)],
)

export const threads = sqliteTable(
  'threads',
  {
    id: text('id').primaryKey(),
    worktreeId: text('worktree_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    userLogin: text('user_login').notNull(),
    status: text('status', {
      enum: [
        'queued',
        'starting',
        'running',
        'idle',
        'waiting_permission',
        'waiting_answer',
        'completed',
        'failed',
        'stopped',
        'archived',
        'awaiting_review',
        'publishing',
        'published',
        'merge_failed',
        'declined',
      ],
    }).notNull(),
    /** JSON: when each status was last entered. */
    statusTimes: text('status_times').notNull(),
    /** JSON ThreadError of the last failure, or null. */
    error: text('error'),
    prompt: text('prompt').notNull(),
    agent: text('agent').notNull(),
    model: text('model').notNull(),
    provider: text('provider').notNull(),
    priority: text('priority', { enum: ['high', 'normal', 'low'] }).notNull(),
    attempt: integer('attempt').notNull(),
    bundleDigest: text('bundle_digest').notNull(),
    hasExtraEnv: integer('has_extra_env', { mode: 'boolean' }).notNull(),
    usesSharedCreds: integer('uses_shared_creds', { mode: 'boolean' }).notNull(),
    lastSeq: integer('last_seq').notNull(),
    forkOfThread: text('fork_of_thread'),
    forkAtSeq: integer('fork_at_seq'),
    /** The runner's opencode session id, for `fork`. */
    sessionId: text('session_id'),
    /** GitHub delivery id of the webhook that caused an auto-dispatch: one thread per delivery. */
    deliveryId: text('delivery_id'),
    /** `owner/repo#number` of the issue an auto-dispatch is about: one live auto thread per issue. */
    sourceIssue: text('source_issue'),
    callbackUrl: text('callback_url'),
    callbackState: text('callback_state', { enum: ['pending', 'sent', 'failed'] }),
    callbackAt: integer('callback_at'),
    callbackError: text('callback_error'),
    /** Totals of the thread's usage items (kept with each one, in its transaction). */
    usageInputTokens: integer('usage_input_tokens').notNull().default(0),
    usageOutputTokens: integer('usage_output_tokens').notNull().default(0),
    usageCacheReadTokens: integer('usage_cache_read_tokens').notNull().default(0),
    usageCacheWriteTokens: integer('usage_cache_write_tokens').notNull().default(0),
    usageCostUsd: real('usage_cost_usd').notNull().default(0),
    /** `no_changes` when the thread completed without changing the worktree. */
    result: text('result', { enum: ['no_changes'] }),
    /** The prompt of the next run when it is not `prompt`: requested changes, a PR comment. */
    nextPrompt: text('next_prompt'),
    nextPromptBy: text('next_prompt_by'),
    /** The approval being published: who, when (the commit's date, so a rerun makes the same commit), draft. */
    approvedBy: text('approved_by'),
    approvedAt: integer('approved_at'),
    approvedDraft: integer('approved_draft', { mode: 'boolean' }),
    /**
     * The sha256 of the backup the person reviewed: only that backup is published, so one written later by
     * another thread of the worktree is never pushed unreviewed.
     */
    approvedBackup: text('approved_backup'),
    /** The last commit pushed to `bosun/<thread id>`: the parent of the next approval's commit. */
    publishedSha: text('published_sha'),
    prNumber: integer('pr_number'),
    prUrl: text('pr_url'),
    /** JSON PermissionPolicy fixed at dispatch; null on threads from before policies (everything allowed). */
    permissions: text('permissions'),
    autoApprove: integer('auto_approve', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('threads_worktree_id_idx').on(t.worktreeId),
    index('threads_workspace_id_status_idx').on(t.workspaceId, t.status),
    uniqueIndex('threads_delivery_id_idx').on(t.deliveryId),
    index('threads_workspace_id_source_issue_idx').on(t.workspaceId, t.sourceIssue),
    index('threads_pr_number_idx').on(t.prNumber),
  ],
)

export const items = sqliteTable(
  'items',
  {
    threadId: text('thread_id').notNull(),
    seq: integer('seq').notNull(),
    id: text('id').notNull(),
    /** The runner's idempotency key; unique per thread. */
    key: text('key'),
    kind: text('kind').notNull(),
    body: text('body').notNull(),
    at: integer('at').notNull(),
    /** For draft comments: the GitHub comment once applied. */
    appliedUrl: text('applied_url'),
    appliedId: integer('applied_id'),
  },
  (t) => [
    primaryKey({ columns: [t.threadId, t.seq] }),
    uniqueIndex('items_thread_id_key_idx').on(t.threadId, t.key),
    uniqueIndex('items_id_idx').on(t.id),
  ],
)

/**
 * PR comments that resumed a thread, by GitHub comment (`<repo>:<kind>:<comment id>`): one run per comment,
 * however often GitHub delivers it.
 */
export const prCommentRuns = sqliteTable('pr_comment_runs', {
  commentKey: text('comment_key').primaryKey(),
  threadId: text('thread_id').notNull(),
  at: integer('at').notNull(),
})

/** The latest backup of each worktree (a git bundle, base64). */
export const backups = sqliteTable('backups', {
  worktreeId: text('worktree_id').primaryKey(),
  ref: text('ref').notNull(),
  headSha: text('head_sha').notNull(),
  /** The commit the worktree started at, as the runner recorded it; null for backups from before. */
  baseSha: text('base_sha'),
  sha256: text('sha256').notNull(),
  bundle: text('bundle').notNull(),
  size: integer('size').notNull(),
  at: integer('at').notNull(),
})

/**
 * One row per usage item (a model reply's tokens and cost), with what `GET /api/usage` groups by copied
 * in: the thread's workspace, owner and repository, and the UTC day.
 */
export const usageRecords = sqliteTable(
  'usage_records',
  {
    itemId: text('item_id').primaryKey(),
    threadId: text('thread_id').notNull(),
    worktreeId: text('worktree_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    userLogin: text('user_login').notNull(),
    repo: text('repo').notNull(),
    /** `YYYY-MM-DD`, UTC. */
    day: text('day').notNull(),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    cacheReadTokens: integer('cache_read_tokens').notNull(),
    cacheWriteTokens: integer('cache_write_tokens').notNull(),
    costUsd: real('cost_usd').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [
    index('usage_records_workspace_id_at_idx').on(t.workspaceId, t.at),
    index('usage_records_thread_id_idx').on(t.threadId),
  ],
)

export const bundleItems = sqliteTable(
  'bundle_items',
  {
    workspaceId: text('workspace_id').notNull(),
    kind: text('kind', { enum: ['files', 'skills', 'commands', 'agents'] }).notNull(),
    name: text('name').notNull(),
    path: text('path').notNull(),
    content: text('content').notNull(),
    version: integer('version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind, t.name] })],
)

export const autoTriggerRepos = sqliteTable(
  'auto_trigger_repos',
  {
    workspaceId: text('workspace_id').notNull(),
    repo: text('repo').notNull(),
    /** AutoTriggerFrom: members (default, also for rows from before the setting), vetted, anyone. */
    triggerFrom: text('trigger_from').notNull().default('members'),
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.repo] })],
)

export const workspaceSettings = sqliteTable('workspace_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  triggerLabel: text('trigger_label').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** A workspace's egress allowlist: hosts its agents may reach over HTTPS (JSON array of strings). */
export const egressSettings = sqliteTable('egress_settings', {
  workspaceId: text('workspace_id').primaryKey(),
  hosts: text('hosts', { mode: 'json' }).$type<string[]>().notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

export const sharedCreds = sqliteTable('shared_creds', {
  workspaceId: text('workspace_id').primaryKey(),
  kind: text('kind').notNull(),
  baseUrl: text('base_url'),
  model: text('model'),
  /** AES-256-GCM of the API key, AAD = `team-shared-creds:<workspace_id>:<kind>`. */
  sealed: text('sealed').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** Workspaces aica has heard of (from `workspace.created`), to default a request's workspace. */
export const knownWorkspaces = sqliteTable('known_workspaces', {
  id: text('id').primaryKey(),
  createdAt: integer('created_at').notNull(),
})

/**
 * The human-in-the-loop ledger: what an agent asked a person, and the answer. Kept here, not in opencode's
 * memory, so a pending request outlives a runner or aica restart; the first answer settles it.
 */
export const humanRequests = sqliteTable(
  'human_requests',
  {
    threadId: text('thread_id').notNull(),
    /** opencode's request id, as the runner reported it. */
    requestId: text('request_id').notNull(),
    kind: text('kind', { enum: ['permission', 'question'] }).notNull(),
    /** JSON HumanAsk. */
    ask: text('ask').notNull(),
    state: text('state', { enum: ['pending', 'settled', 'cancelled'] }).notNull(),
    /** JSON HumanReply once settled. */
    reply: text('reply'),
    settledBy: text('settled_by'),
    /** Set when the runner confirmed it handed the reply to the agent; until then the reply is re-sent. */
    appliedAt: integer('applied_at'),
    createdAt: integer('created_at').notNull(),
    settledAt: integer('settled_at'),
  },
  (t) => [
    primaryKey({ columns: [t.threadId, t.requestId] }),
    index('human_requests_thread_id_state_idx').on(t.threadId, t.state),
  ],
)

/** Each workspace's default permission policies (JSON PermissionPolicy), for people's and for auto threads. */
export const permissionDefaults = sqliteTable('permission_defaults', {
  workspaceId: text('workspace_id').primaryKey(),
  people: text('people').notNull(),
  auto: text('auto').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
})
