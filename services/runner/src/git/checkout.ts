import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { git } from './git'

const locks = new Map<string, Promise<unknown>>()

/** One git operation per mirror at a time; other repositories proceed in parallel. */
function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve()
  const next = prev.then(fn, fn)
  locks.set(
    key,
    next.catch(() => {}),
  )
  return next
}

export const mirrorPath = (root: string, repo: string) =>
  join(root, 'mirrors', `${repo.replace('/', '__')}.git`)

/** Clone URL for a repository under the GitHub web base (or a file:// folder of bare repos in tests). */
export const cloneUrl = (webUrl: string, repo: string) => `${webUrl.replace(/\/+$/, '')}/${repo}.git`

/**
 * A cached `git clone --mirror` of the repository, fetched on every reuse. Branches and tags only are
 * fetched (pruned) so the runner's own refs under refs/bosun/ survive.
 */
export function ensureMirror(opts: { root: string; repo: string; url: string; token?: string }) {
  const path = mirrorPath(opts.root, opts.repo)
  return withLock(path, async () => {
    if (!existsSync(join(path, 'HEAD'))) {
      emptyDir(path)
      await git(['clone', '--mirror', '--quiet', opts.url, path], { token: opts.token })
      // Worktrees borrow the mirror's objects (--shared); a gc here could delete what they need.
      await git(['config', 'gc.auto', '0'], { cwd: path })
      return path
    }
    await git(
      ['fetch', '--quiet', '--prune', opts.url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'],
      { cwd: path, token: opts.token },
    )
    return path
  })
}

/**
 * A checkout of `ref` in `dir` (its commit is returned and kept by the runner: the agent owns the
 * checkout's config, so a base recorded there could be rewritten): a clone sharing the mirror's objects, so it is instant and its .git
 * lives inside the worktree (the sandbox's only writable path), detached at the resolved commit.
 */
export async function checkout(opts: { mirror: string; dir: string; ref: string }): Promise<string> {
  const sha = await git(['rev-parse', '--verify', '--quiet', `${opts.ref}^{commit}`], {
    cwd: opts.mirror,
  }).catch(() => {
    throw new Error(`ref ${JSON.stringify(opts.ref)} not found in the repository`)
  })
  emptyDir(opts.dir)
  await git(['clone', '--shared', '--no-checkout', '--quiet', opts.mirror, opts.dir])
  await git(['checkout', '--quiet', '--detach', sha], { cwd: opts.dir })
  return sha
}

/**
 * Empties a folder but keeps it: the sandbox may already bind-mount it, and a bind follows the folder
 * itself, so a removed and recreated folder would vanish from the sandbox's view.
 */
export function emptyDir(path: string) {
  mkdirSync(path, { recursive: true })
  for (const name of readdirSync(path)) rmSync(join(path, name), { recursive: true, force: true })
}
