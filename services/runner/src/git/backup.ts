import { createHash } from 'node:crypto'
import { readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { RELAY_BACKUP_MAX_BYTES } from '@bosun/contracts/relay'
import { git } from './git'

const SNAPSHOT_MESSAGE = 'bosun: uncommitted changes'
const BACKUP_REF = 'refs/bosun/backup'

export type Backup = { headSha: string; bundle: Buffer; sha256: string }

/**
 * A git bundle of the worktree: its commits since the base it was checked out at, plus a snapshot commit
 * of uncommitted changes (made with a private index, so the agent's own index and HEAD are untouched).
 * Undefined when nothing changed. Throws when the bundle is over the relay's cap.
 */
export async function makeBackup(dir: string, tmpDir: string): Promise<Backup | undefined> {
  const index = join(tmpDir, `backup-index-${crypto.randomUUID()}`)
  const file = join(tmpDir, `backup-${crypto.randomUUID()}.bundle`)
  try {
    const head = await git(['rev-parse', 'HEAD'], { cwd: dir })
    const env = { GIT_INDEX_FILE: index }
    await git(['read-tree', 'HEAD'], { cwd: dir, env })
    await git(['add', '-A'], { cwd: dir, env })
    const tree = await git(['write-tree'], { cwd: dir, env })
    const headTree = await git(['rev-parse', 'HEAD^{tree}'], { cwd: dir })
    const snapshot =
      tree === headTree
        ? head
        : await git(['commit-tree', tree, '-p', head, '-m', SNAPSHOT_MESSAGE], { cwd: dir })
    const base = await git(['config', 'bosun.base'], { cwd: dir }).catch(() => '')
    if (snapshot === base) return undefined
    await git(['update-ref', BACKUP_REF, snapshot], { cwd: dir })
    await git(['bundle', 'create', '--quiet', file, BACKUP_REF, ...(base ? [`^${base}`] : [])], { cwd: dir })
    const size = statSync(file).size
    if (size > RELAY_BACKUP_MAX_BYTES)
      throw new Error(`backup is ${size} bytes, over the ${RELAY_BACKUP_MAX_BYTES} byte cap`)
    const bundle = readFileSync(file)
    return { headSha: snapshot, bundle, sha256: createHash('sha256').update(bundle).digest('hex') }
  } finally {
    rmSync(index, { force: true })
    rmSync(file, { force: true })
  }
}

/**
 * Restores a checkout (already cloned from the mirror, which holds the bundle's base) from a backup bundle:
 * its commits come back as commits, its snapshot of uncommitted changes as uncommitted changes.
 */
export async function restoreBackup(dir: string, bundlePath: string): Promise<string> {
  const heads = await git(['bundle', 'list-heads', bundlePath], { cwd: dir })
  const sha = heads.split(/\s+/)[0]
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new Error('backup bundle names no commit')
  await git(['fetch', '--quiet', bundlePath, `+${BACKUP_REF}:${BACKUP_REF}`], { cwd: dir })
  await git(['checkout', '--quiet', '--detach', sha], { cwd: dir })
  const message = await git(['log', '-1', '--format=%s', sha], { cwd: dir })
  if (message === SNAPSHOT_MESSAGE) await git(['reset', '--quiet', 'HEAD~1'], { cwd: dir })
  return sha
}
