import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/** Commits the emulator makes itself carry one fixed identity, so seeded history is recognisable. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'GitHub Emulator',
  GIT_AUTHOR_EMAIL: 'emulator@bosun.invalid',
  GIT_COMMITTER_NAME: 'GitHub Emulator',
  GIT_COMMITTER_EMAIL: 'emulator@bosun.invalid',
}

/** A user's or the machine's git config must not change what the emulator writes (hooks, signing). */
export const gitEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  ...IDENTITY,
  ...extra,
})

export function git(
  dir: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
) {
  const res = Bun.spawnSync(['git', ...args], {
    cwd: dir,
    env: gitEnv(opts.env),
    stdin: opts.input === undefined ? 'ignore' : Buffer.from(opts.input),
  })
  if (res.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr.toString().trim()}`)
  return res.stdout.toString().trim()
}

export function initBare(dir: string, defaultBranch: string): void {
  mkdirSync(dir, { recursive: true })
  git(dir, ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, '.'])
  git(dir, ['config', 'http.receivepack', 'true'])
}

export function revParse(dir: string, ref: string): string | undefined {
  const res = Bun.spawnSync(['git', 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: dir,
    env: gitEnv(),
  })
  return res.exitCode === 0 ? res.stdout.toString().trim() : undefined
}

/** Branch name -> head sha. */
export function branches(dir: string): Map<string, string> {
  const out = git(dir, ['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads'])
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  )
}

export type CommitInput = {
  branch: string
  files: Record<string, string>
  message: string
  /** Where a new branch starts; default: the branch itself (or an orphan commit when it does not exist). */
  from?: string
  date?: Date
}

/** Writes a commit straight into a bare repository (no work tree) through a throwaway index. */
export function commitFiles(dir: string, input: CommitInput): string {
  const parent = revParse(dir, `refs/heads/${input.branch}`) ?? (input.from && revParse(dir, input.from))
  const index = join(dir, `index-${crypto.randomUUID()}`)
  const env = {
    GIT_INDEX_FILE: index,
    ...(input.date
      ? { GIT_AUTHOR_DATE: input.date.toISOString(), GIT_COMMITTER_DATE: input.date.toISOString() }
      : {}),
  }
  try {
    if (parent) git(dir, ['read-tree', parent], { env })
    for (const [path, content] of Object.entries(input.files)) {
      const blob = git(dir, ['hash-object', '-w', '--stdin'], { input: content })
      git(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env })
    }
    const tree = git(dir, ['write-tree'], { env })
    const sha = git(dir, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', input.message], {
      env,
    })
    git(dir, ['update-ref', `refs/heads/${input.branch}`, sha])
    return sha
  } finally {
    rmSync(index, { force: true })
  }
}

/** A merge commit of `head` into `base`, or undefined on conflicts (GitHub's 405 "not mergeable"). */
export function mergeInto(dir: string, base: string, head: string, message: string): string | undefined {
  const baseSha = revParse(dir, `refs/heads/${base}`)
  const headSha = revParse(dir, head)
  if (!baseSha || !headSha) return undefined
  const res = Bun.spawnSync(['git', 'merge-tree', '--write-tree', baseSha, headSha], {
    cwd: dir,
    env: gitEnv(),
  })
  if (res.exitCode !== 0) return undefined
  const tree = res.stdout.toString().split('\n')[0]!.trim()
  const sha = git(dir, ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', message])
  git(dir, ['update-ref', `refs/heads/${base}`, sha, baseSha])
  return sha
}

export type CommitInfo = {
  sha: string
  tree: string
  parents: string[]
  author: { name: string; email: string; date: string }
  committer: { name: string; email: string; date: string }
  message: string
}

export function commitInfo(dir: string, sha: string): CommitInfo | undefined {
  const res = Bun.spawnSync(
    ['git', 'show', '-s', '--format=%H%n%T%n%P%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%B', sha],
    { cwd: dir, env: gitEnv() },
  )
  if (res.exitCode !== 0) return undefined
  const [h, tree, parents, an, ae, ad, cn, ce, cd, ...message] = res.stdout.toString().split('\n')
  const utc = (d = '') => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return {
    sha: h!,
    tree: tree!,
    parents: parents ? parents.split(' ') : [],
    author: { name: an!, email: ae!, date: utc(ad) },
    committer: { name: cn!, email: ce!, date: utc(cd) },
    message: message.join('\n').trim(),
  }
}

/** Commits reachable from `to` but not `from` (newest first), as `git rev-list from..to`. */
export function revList(dir: string, to: string, from?: string, max = 250): string[] {
  const out = git(dir, ['rev-list', `--max-count=${max}`, from ? `${from}..${to}` : to])
  return out ? out.split('\n') : []
}

export function changedFiles(dir: string, sha: string) {
  const out = git(dir, ['diff-tree', '--root', '--no-commit-id', '--name-status', '-r', sha])
  const files = { added: [] as string[], removed: [] as string[], modified: [] as string[] }
  for (const line of out.split('\n').filter(Boolean)) {
    const [status, path] = line.split('\t') as [string, string]
    if (status.startsWith('A')) files.added.push(path)
    else if (status.startsWith('D')) files.removed.push(path)
    else files.modified.push(path)
  }
  return files
}
