import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { RELAY_BACKUP_MAX_BYTES } from '@bosun/contracts/relay'
import { type Confined, confinedGit, confinedRun } from './confined'
import { GitError, git } from './git'

const SNAPSHOT_MESSAGE = 'bosun: uncommitted changes'
const BACKUP_REF = 'refs/bosun/backup'

export type Backup = { headSha: string; tree: string; bundle: Buffer; sha256: string }

/**
 * A git bundle of the worktree: its commits since the base it was checked out at, plus a snapshot commit
 * of uncommitted changes (made with a private index, so the agent's own index and HEAD are untouched).
 * Every step runs in the sandbox (the agent owns the repository's config). Undefined when nothing
 * changed. Throws when the bundle is over `maxBytes` (at most the relay's cap).
 */
export async function makeBackup(
  c: Confined,
  base: string,
  maxBytes = RELAY_BACKUP_MAX_BYTES,
): Promise<Backup | undefined> {
  const index = join(c.dir, '.git', `bosun-backup-index-${crypto.randomUUID()}`)
  const run = (args: string[]) => confinedGit(c, args, { GIT_INDEX_FILE: index })
  try {
    const head = await run(['rev-parse', 'HEAD'])
    await run(['read-tree', 'HEAD'])
    await run(['add', '-A'])
    const tree = await run(['write-tree'])
    const headTree = await run(['rev-parse', 'HEAD^{tree}'])
    const snapshot =
      tree === headTree ? head : await run(['commit-tree', tree, '-p', head, '-m', SNAPSHOT_MESSAGE])
    if (snapshot === base) return undefined
    await run(['update-ref', BACKUP_REF, snapshot])
    const out = await confinedRun(c, ['git', 'bundle', 'create', '--quiet', '-', BACKUP_REF, `^${base}`], {
      maxBytes,
    })
    if (out.overflow) throw new Error(`backup is over the ${maxBytes} byte cap`)
    if (out.code !== 0) throw new GitError(`git bundle failed: ${out.stderr.trim().slice(0, 500)}`)
    const bundle = out.stdout
    return { headSha: snapshot, tree, bundle, sha256: createHash('sha256').update(bundle).digest('hex') }
  } finally {
    await confinedRun(c, ['rm', '-f', index])
  }
}

/**
 * The commit a backup bundle was made against (its prerequisite), read from the bundle's header; undefined
 * when it needs none. A clone checks this out, not the worktree's ref: a clone's ref names the backup
 * (`bosun/wt_…`), which exists only inside bundles, never in the repository.
 */
export function bundleBase(bundle: Buffer): string | undefined {
  const end = bundle.indexOf('\n\n')
  const header = bundle.subarray(0, end < 0 ? Math.min(bundle.length, 4096) : end).toString('utf8')
  return /^-([0-9a-f]{40})\b/m.exec(header)?.[1]
}

/**
 * Restores a checkout (already cloned from the mirror, which holds the bundle's base) from a backup bundle:
 * its commits come back as commits, its snapshot of uncommitted changes as uncommitted changes. Returns the
 * backup's tree.
 */
export async function restoreBackup(dir: string, bundlePath: string): Promise<string> {
  const heads = await git(['bundle', 'list-heads', bundlePath], { cwd: dir })
  const sha = heads.split(/\s+/)[0]
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new Error('backup bundle names no commit')
  await git(['fetch', '--quiet', bundlePath, `+${BACKUP_REF}:${BACKUP_REF}`], { cwd: dir })
  await git(['checkout', '--quiet', '--detach', sha], { cwd: dir })
  const message = await git(['log', '-1', '--format=%s', sha], { cwd: dir })
  if (message === SNAPSHOT_MESSAGE) await git(['reset', '--quiet', 'HEAD~1'], { cwd: dir })
  return git(['rev-parse', `${sha}^{tree}`], { cwd: dir })
}
