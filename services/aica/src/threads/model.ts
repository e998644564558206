import type { Thread, Worktree } from '@bosun/contracts/aica'
import { DEFAULT_PERMISSION_POLICY, type PermissionPolicy } from '@bosun/contracts/permissions'
import type { Item, ItemBody, ThreadError } from '@bosun/contracts/relay'
import type { backups, items, threads, worktrees } from '../db/schema'

export type ThreadRow = typeof threads.$inferSelect
export type WorktreeRow = typeof worktrees.$inferSelect
export type ItemRow = typeof items.$inferSelect
export type BackupMeta = Pick<typeof backups.$inferSelect, 'ref' | 'headSha' | 'size' | 'at'>

const iso = (ms: number) => new Date(ms).toISOString()
/** The branch a thread's approved changes are pushed to. */
export const branchOf = (threadId: string) => `bosun/${threadId}`

export function toWorktree(row: WorktreeRow, backup?: BackupMeta | null): Worktree {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    repo: row.repo,
    ref: row.ref,
    visibility: row.visibility,
    creatorId: row.creatorId,
    creatorLogin: row.creatorLogin,
    archived: row.archivedAt !== null,
    restoredFrom: row.restoredFrom,
    sandbox: row.sandboxBackend ? { backend: row.sandboxBackend, note: row.sandboxNote } : null,
    latestBackup: backup
      ? { ref: backup.ref, headSha: backup.headSha, size: backup.size, at: iso(backup.at) }
      : null,
    createdAt: iso(row.createdAt),
    archivedAt: row.archivedAt === null ? null : iso(row.archivedAt),
  }
}

export function toThread(row: ThreadRow, wt: WorktreeRow): Thread {
  return {
    id: row.id,
    worktreeId: row.worktreeId,
    workspaceId: row.workspaceId,
    repo: wt.repo,
    ref: wt.ref,
    userId: row.userId,
    userLogin: row.userLogin,
    sourceIssue: row.sourceIssue,
    visibility: wt.visibility,
    status: row.status,
    statusTimes: JSON.parse(row.statusTimes),
    error: row.error ? (JSON.parse(row.error) as ThreadError) : null,
    prompt: row.prompt,
    agent: row.agent,
    model: row.model,
    provider: row.provider,
    priority: row.priority,
    attempt: row.attempt,
    bundleDigest: row.bundleDigest,
    lastSeq: row.lastSeq,
    forkOf:
      row.forkOfThread && row.forkAtSeq !== null
        ? { threadId: row.forkOfThread, atSeq: row.forkAtSeq }
        : null,
    callback: row.callbackUrl
      ? {
          url: row.callbackUrl,
          state: row.callbackState ?? 'pending',
          at: row.callbackAt === null ? null : iso(row.callbackAt),
          error: row.callbackError,
        }
      : null,
    changes:
      wt.changesFiles === null
        ? null
        : {
            files: wt.changesFiles,
            additions: wt.changesAdditions ?? 0,
            deletions: wt.changesDeletions ?? 0,
          },
    usage: {
      inputTokens: row.usageInputTokens,
      outputTokens: row.usageOutputTokens,
      cacheReadTokens: row.usageCacheReadTokens,
      cacheWriteTokens: row.usageCacheWriteTokens,
      costUsd: row.usageCostUsd,
    },
    result: row.result,
    pullRequest:
      row.prUrl && row.prNumber !== null
        ? { url: row.prUrl, number: row.prNumber, branch: branchOf(row.id) }
        : null,
    permissions: policyOf(row),
    autoApprove: row.autoApprove,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

/** A thread's policy; threads from before policies ran with everything allowed. */
export const policyOf = (row: Pick<ThreadRow, 'permissions'>): PermissionPolicy =>
  row.permissions ? (JSON.parse(row.permissions) as PermissionPolicy) : DEFAULT_PERMISSION_POLICY

export function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    threadId: row.threadId,
    seq: row.seq,
    at: iso(row.at),
    ...(row.key ? { key: row.key } : {}),
    body: JSON.parse(row.body) as ItemBody,
    ...(row.appliedUrl && row.appliedUrl !== APPLY_CLAIM ? { appliedUrl: row.appliedUrl } : {}),
  }
}

/** `applied_url` while a draft is being posted: claimed, not yet applied. */
export const APPLY_CLAIM = 'pending'
