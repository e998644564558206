import { createHash, randomUUID } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  type ReadAnswer,
  runnerReadBackupRpc,
  runnerReadCheckoutRpc,
  runnerReadSubject,
} from '@bosun/contracts/changes'
import type { RpcRequest } from '@bosun/contracts/rpc'
import { AppError } from '@bosun/service-kit/errors'
import type { RunnerDeps } from '../deps'
import { restoreBackup } from '../git/backup'
import { checkout, cloneUrl, ensureMirror, mirrorPath } from '../git/checkout'
import { readCheckout } from './read'

/** Answers reads of one worktree while this runner holds its checkout; unsubscribe when it stops holding it. */
export function serveCheckoutReads(
  deps: RunnerDeps,
  host: { worktreeId: string; dir: string; baseSha: string; repo: string },
) {
  const target = {
    sandbox: deps.sandbox,
    dir: host.dir,
    baseSha: host.baseSha,
    mirror: mirrorPath(deps.root, host.repo),
  }
  return deps.bus.serveAt(
    runnerReadSubject(deps.bus.subjects.prefix, host.worktreeId),
    runnerReadCheckoutRpc,
    async ({ read }) => readCheckout(target, read),
  )
}

/**
 * Any runner answers a read of a worktree nobody holds: it restores the backup into a scratch checkout
 * (as a later thread of the worktree would) and reads it the same way as a live checkout.
 */
export function serveBackupReads(deps: RunnerDeps) {
  deps.bus.serve(runnerReadBackupRpc, (req) => readBackup(deps, req))
}

async function readBackup(
  deps: RunnerDeps,
  req: RpcRequest<typeof runnerReadBackupRpc>,
): Promise<ReadAnswer> {
  const bundle = Buffer.from(req.bundle, 'base64')
  if (createHash('sha256').update(bundle).digest('hex') !== req.sha256)
    throw new AppError('invalid_request', 'The backup does not match its sha256')
  const token = deps.githubApp
    ? (await deps.githubApp.installationToken(req.repo, { contents: 'read' })).token
    : undefined
  const mirror = await ensureMirror({
    root: deps.root,
    repo: req.repo,
    url: cloneUrl(deps.env.GITHUB_WEB_URL, req.repo),
    token,
  })
  const scratch = join(deps.root, 'scratch', randomUUID())
  const dir = join(scratch, 'checkout')
  try {
    await checkout({ mirror, dir, ref: req.baseSha })
    const file = join(scratch, 'restore.bundle')
    writeFileSync(file, bundle)
    await restoreBackup(dir, file)
    return await readCheckout({ sandbox: deps.sandbox, dir, baseSha: req.baseSha, mirror }, req.read)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
