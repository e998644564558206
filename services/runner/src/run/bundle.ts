import { appendFileSync, closeSync, constants, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname, isAbsolute, join, normalize } from 'node:path'
import type { bundleRpc } from '@bosun/contracts/relay'
import type { RpcResponse } from '@bosun/contracts/rpc'

type BundleItem = RpcResponse<typeof bundleRpc>['items'][number]

/** Where opencode reads each kind from, relative to the worktree. Files land where their path says. */
const FOLDERS: Record<BundleItem['kind'], string> = {
  agents: '.opencode/agent',
  commands: '.opencode/command',
  skills: '.opencode/skill',
  files: '',
}

/** The path of an item inside the worktree, or undefined when it would escape it. */
export function bundlePath(item: BundleItem): string | undefined {
  if (!item.path || isAbsolute(item.path) || item.path.split(/[\\/]/).includes('..')) return undefined
  const rel =
    item.kind === 'files' || item.path.startsWith('.opencode/')
      ? item.path
      : join(FOLDERS[item.kind], item.path)
  const clean = normalize(rel)
  if (clean.startsWith('..') || clean === '.git' || clean.startsWith('.git/')) return undefined
  return clean
}

/**
 * True when some folder on the way to `rel`, or `rel` itself, is a symlink. The checkout comes from the
 * repository or a backup the agent made, either of which may hold a link to a runner folder, and the
 * bundle is written on the host, outside the sandbox.
 */
function crossesLink(dir: string, rel: string): boolean {
  let path = dir
  for (const part of rel.split('/')) {
    path = join(path, part)
    try {
      if (lstatSync(path).isSymbolicLink()) return true
    } catch {
      return false
    }
  }
  return false
}

function writeNoFollow(target: string, content: string) {
  const fd = openSync(
    target,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
  )
  try {
    writeSync(fd, content)
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes the AICA bundle into the worktree where opencode reads it, and lists the written paths in
 * .git/info/exclude so they never end up in the agent's commits or the backups.
 */
export function materializeBundle(
  dir: string,
  items: BundleItem[],
): { written: string[]; refused: string[] } {
  const written: string[] = []
  const refused: string[] = []
  for (const item of items) {
    const rel = bundlePath(item)
    if (!rel || crossesLink(dir, rel)) {
      refused.push(item.path)
      continue
    }
    const target = join(dir, rel)
    mkdirSync(dirname(target), { recursive: true })
    writeNoFollow(target, item.content)
    written.push(rel)
  }
  if (written.length) {
    mkdirSync(join(dir, '.git', 'info'), { recursive: true })
    appendFileSync(join(dir, '.git', 'info', 'exclude'), `${written.map((p) => `/${p}`).join('\n')}\n`)
  }
  return { written, refused }
}
