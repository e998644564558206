import {
  type DiffSource,
  isSafeWorktreePath,
  type ReadAnswer,
  type ReadRequest,
  runnerReadBackupRpc,
  runnerReadCheckoutRpc,
  runnerReadSubject,
  type WorktreeDiff,
  type WorktreeFile,
} from '@bosun/contracts/changes'
import { AppError, invalid, notFound, unavailable } from '@bosun/service-kit/errors'
import { eq } from 'drizzle-orm'
import { ErrorCode, NatsError } from 'nats'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import type { WorktreeRow } from '../threads/model'

/** A runner reads in a sandbox (twice for a file: the diff, then the file), each step capped at 30 s. */
const READ_TIMEOUT_MS = 65_000

/**
 * Reads a worktree from the runner that holds its checkout; when none does (no one answers on its
 * subject), any runner reads the latest backup instead. The two read the same way.
 */
async function readWorktree(
  deps: AicaDeps,
  wt: WorktreeRow,
  read: ReadRequest,
): Promise<{ source: DiffSource; answer: ReadAnswer | undefined }> {
  try {
    const subject = runnerReadSubject(deps.bus.subjects.prefix, wt.id)
    const answer = await deps.bus.requestAt(
      subject,
      runnerReadCheckoutRpc,
      { worktreeId: wt.id, read },
      READ_TIMEOUT_MS,
    )
    return { source: 'checkout', answer }
  } catch (err) {
    if (!(err instanceof NatsError && err.code === ErrorCode.NoResponders)) throw asAppError(err)
  }
  const [backup] = await deps.database.db
    .select()
    .from(schema.backups)
    .where(eq(schema.backups.worktreeId, wt.id))
  if (!backup) return { source: 'backup', answer: undefined }
  if (!backup.baseSha)
    throw unavailable('This backup was made before its base commit was recorded; run the thread again')
  const answer = await deps.bus
    .request(
      runnerReadBackupRpc,
      {
        worktreeId: wt.id,
        repo: wt.repo,
        baseSha: backup.baseSha,
        bundle: backup.bundle,
        sha256: backup.sha256,
        read,
      },
      READ_TIMEOUT_MS,
    )
    .catch((err) => {
      throw asAppError(err)
    })
  return { source: 'backup', answer }
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof NatsError && err.code === ErrorCode.NoResponders)
    return unavailable('No runner is available to read the backup')
  if (err instanceof NatsError && err.code === ErrorCode.Timeout)
    return unavailable('The runner did not answer in time')
  if (err instanceof NatsError && err.code === ErrorCode.MaxPayloadExceeded)
    return unavailable('The backup is too large to send to a runner for reading')
  return unavailable(`Reading the worktree failed: ${(err as Error).message}`)
}

export async function worktreeDiff(deps: AicaDeps, wt: WorktreeRow): Promise<WorktreeDiff> {
  const { source, answer } = await readWorktree(deps, wt, { kind: 'diff' })
  if (!answer)
    return {
      worktreeId: wt.id,
      source,
      baseSha: null,
      files: [],
      totals: { files: 0, additions: 0, deletions: 0 },
      omittedFiles: 0,
      truncated: false,
    }
  if (answer.kind !== 'diff') throw new AppError('internal', 'The runner answered another read')
  return { worktreeId: wt.id, source, ...answer.diff }
}

/** The router hands the wildcard over still percent-encoded; undefined when it does not decode. */
function decodePath(raw: string) {
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

export async function worktreeFile(deps: AicaDeps, wt: WorktreeRow, raw: string): Promise<WorktreeFile> {
  const path = decodePath(raw)
  if (path === undefined || !isSafeWorktreePath(path))
    throw invalid('Invalid path', [
      { in: 'path', path: '/*', message: 'a relative path without .., ., .git, control characters or \\' },
    ])
  const { source, answer } = await readWorktree(deps, wt, { kind: 'file', path })
  if (!answer) throw notFound('File')
  if (answer.kind !== 'file') throw new AppError('internal', 'The runner answered another read')
  return { worktreeId: wt.id, baseSha: answer.baseSha, source, ...answer.file }
}
