import { type Static, t } from 'elysia'
import { ChangeCounts, ThreadId, WorktreeId } from './relay'
import { defineRpc } from './rpc'
import { RepoFullName } from './workspace'

/**
 * A worktree's changes against the commit it was checked out at, read by the runner that holds the
 * checkout (`<prefix>.rt.runner.read.<worktreeId>`) or, when none does, by any runner from the latest
 * backup (`runnerReadBackupRpc`). Both give the same answer; only `source` says which it was.
 */

/** Files listed in one diff; past it the rest are left out (`omittedFiles`). */
export const DIFF_MAX_FILES = 1000
/** Characters of one file's unified diff; past it the patch is cut (`truncated` on the file). */
export const DIFF_MAX_FILE_PATCH_CHARS = 100_000
/** Characters of all patches together; past it later files come without a patch (`truncated`). */
export const DIFF_MAX_TOTAL_PATCH_CHARS = 500_000
/** Bytes of one file's content a file read returns. */
export const FILE_MAX_CONTENT_BYTES = 256_000

const Sha = t.String({ pattern: '^[0-9a-f]{40}$' })

export const DiffFileStatus = t.Union([
  t.Literal('added'),
  t.Literal('modified'),
  t.Literal('deleted'),
  t.Literal('renamed'),
  t.Literal('binary'),
])
export type DiffFileStatus = Static<typeof DiffFileStatus>

export const DiffFile = t.Object(
  {
    path: t.String(),
    /** The path before a rename; null otherwise. */
    oldPath: t.Union([t.String(), t.Null()]),
    status: DiffFileStatus,
    /** Lines added and removed; 0 for binary files (git counts no lines for them). */
    additions: t.Integer({ minimum: 0 }),
    deletions: t.Integer({ minimum: 0 }),
    /** The unified diff of this file; null when the total cap was reached before it. */
    patch: t.Union([t.String(), t.Null()]),
    /** True when `patch` was cut at a cap or left out. */
    truncated: t.Boolean(),
  },
  { title: 'DiffFile' },
)
export type DiffFile = Static<typeof DiffFile>

export const DiffSource = t.Union([t.Literal('checkout'), t.Literal('backup')], {
  description: '`checkout`: read from the runner holding the worktree; `backup`: from its latest backup',
})
export type DiffSource = Static<typeof DiffSource>

/** What a runner reads; the same from a checkout or a restored backup. */
export const DiffBody = t.Object({
  /** The commit the diff is against; null when nothing was ever recorded (no runner holds it, no backup). */
  baseSha: t.Union([Sha, t.Null()]),
  files: t.Array(DiffFile),
  /** Totals over every changed file, those left out included. */
  totals: ChangeCounts,
  /** Files changed past DIFF_MAX_FILES, not listed. */
  omittedFiles: t.Integer({ minimum: 0 }),
  /** True when any cap cut something: a patch, the patches, or the file list. */
  truncated: t.Boolean(),
})
export type DiffBody = Static<typeof DiffBody>

export const WorktreeDiff = t.Composite(
  [t.Object({ worktreeId: WorktreeId, source: DiffSource }), DiffBody],
  {
    title: 'WorktreeDiff',
  },
)
export type WorktreeDiff = Static<typeof WorktreeDiff>

export const FileKind = t.Union([t.Literal('file'), t.Literal('symlink'), t.Literal('deleted')])

export const FileBody = t.Object({
  path: t.String(),
  kind: FileKind,
  /** Size in bytes of a file; null for a symlink or a deleted file. */
  size: t.Union([t.Integer({ minimum: 0 }), t.Null()]),
  /** True when the content holds NUL bytes; `content` is then null. */
  binary: t.Boolean(),
  /** UTF-8 text (up to FILE_MAX_CONTENT_BYTES); a symlink's target; null for binary and deleted files. */
  content: t.Union([t.String(), t.Null()]),
  /** True when `content` was cut at FILE_MAX_CONTENT_BYTES. */
  truncated: t.Boolean(),
  /** This file's entry in the worktree's diff; null when it is unchanged. */
  diff: t.Union([DiffFile, t.Null()]),
})
export type FileBody = Static<typeof FileBody>

export const WorktreeFile = t.Composite(
  [t.Object({ worktreeId: WorktreeId, baseSha: Sha, source: DiffSource }), FileBody],
  { title: 'WorktreeFile' },
)
export type WorktreeFile = Static<typeof WorktreeFile>

export const DiffParams = t.Object({ id: ThreadId })
/**
 * The wildcard `*` (the file's path in the worktree) is checked by the route with `isSafeWorktreePath`:
 * Elysia cannot compile its params normalizer for a key named `*`.
 */
export const WorktreeFileParams = t.Object({ wtId: WorktreeId }, { additionalProperties: true })

/**
 * A path a caller may name in a worktree: relative, no `..`, `.` or empty segment, no `.git` segment,
 * no NUL or other control character, no backslash.
 */
export function isSafeWorktreePath(path: string): boolean {
  if (!path || path.length > 4096 || path.startsWith('/')) return false
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return false
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.toLowerCase() !== '.git')
}

/** What a runner is asked to read: the whole diff, or one file. */
export const ReadRequest = t.Union([
  t.Object({ kind: t.Literal('diff') }),
  t.Object({ kind: t.Literal('file'), path: t.String({ maxLength: 4096 }) }),
])
export type ReadRequest = Static<typeof ReadRequest>

export const ReadAnswer = t.Union([
  t.Object({ kind: t.Literal('diff'), diff: DiffBody }),
  t.Object({ kind: t.Literal('file'), baseSha: Sha, file: FileBody }),
])
export type ReadAnswer = Static<typeof ReadAnswer>

/** aica -> the runner holding the checkout, on `runnerReadSubject(prefix, worktreeId)`. */
export const runnerReadCheckoutRpc = defineRpc(
  'runner',
  'read',
  t.Object({ worktreeId: WorktreeId, read: ReadRequest }),
  ReadAnswer,
  "Reads a worktree's diff or one file from the runner that holds its checkout",
)
export const runnerReadSubject = (prefix: string, worktreeId: string) =>
  `${prefix}.rt.runner.read.${worktreeId}`

/** aica -> any runner: restores the bundle into a scratch folder and reads it there. */
export const runnerReadBackupRpc = defineRpc(
  'runner',
  'read-backup',
  t.Object({
    worktreeId: WorktreeId,
    repo: RepoFullName,
    baseSha: Sha,
    /** The git bundle, base64 (what the worktree's last `backup` frame carried). */
    bundle: t.String(),
    sha256: t.String({ pattern: '^[0-9a-f]{64}$' }),
    read: ReadRequest,
  }),
  ReadAnswer,
  "Reads a worktree's diff or one file from its latest backup",
)
