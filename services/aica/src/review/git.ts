import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The host's git config, hooks and credential helpers stay out; nothing here ever checks files out. */
const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
})

export class GitFailed extends Error {}

/** Git may echo its config (the header, base64) or the URL's credentials: neither form of the token leaves. */
const redact = (text: string, token: string) =>
  text.replaceAll(token, '[redacted]').replaceAll(btoa(`x-access-token:${token}`), '[redacted]')

/**
 * The token as `http.extraHeader` through git's environment config: never on a command line (anyone on the host
 * reads those in /proc/<pid>/cmdline), never in a config file.
 */
export const authEnv = (token: string): Record<string, string> => ({
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'http.extraHeader',
  GIT_CONFIG_VALUE_0: `Authorization: Basic ${btoa(`x-access-token:${token}`)}`,
})

/** Runs git in `dir` and returns its trimmed stdout; the token (see `authEnv`) is cut out of any error. */
async function git(dir: string, args: string[], opts: { token?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn(['git', ...args], {
    cwd: dir,
    env: { ...baseEnv(), ...opts.env, ...(opts.token ? authEnv(opts.token) : {}) },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) {
    const message = opts.token ? redact(err, opts.token) : err
    throw new GitFailed(`git ${args[0]} failed: ${message.trim().slice(0, 1000)}`)
  }
  return out.trim()
}

/** The commits a bundle needs to exist already (its `-<sha>` header lines): the checkout's base. */
export function bundlePrerequisites(bundle: Buffer): string[] {
  const end = bundle.indexOf('\n\n')
  const header = bundle.subarray(0, end < 0 ? Math.min(bundle.length, 64 * 1024) : end).toString('latin1')
  return header
    .split('\n')
    .filter((l) => /^-[0-9a-f]{40}/.test(l))
    .map((l) => l.slice(1, 41))
}

export type Publication = {
  repoUrl: string
  token: string
  bundle: Buffer
  branch: string
  /** The last commit Bosun pushed to `branch`; the first publication starts from the bundle's base. */
  parent: string | null
  message: string
  author: { name: string; email: string }
  /** The approval time: with it the commit is the same on a rerun after a crash, and the push a no-op. */
  at: number
}

export type Published =
  | { pushed: true; sha: string }
  | { pushed: false; sha: string; reason: 'unchanged' }
  | { pushed: false; reason: 'rejected'; message: string }

/**
 * Commits the backup's tree onto `parent` (or the bundle's base) as one commit by the bot and pushes it to
 * `branch`, in a bare repository of its own outside any sandbox (the agent's bundle is only read as objects).
 * A push GitHub refuses because the branch moved is `rejected`, not thrown.
 */
export async function commitAndPush(p: Publication): Promise<Published> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-publish-'))
  try {
    await git(dir, ['init', '--quiet', '--bare'])
    const base = p.parent ?? bundlePrerequisites(p.bundle)[0]
    const wants = base ? [base] : []
    // Only what the new commit needs: its parent, by sha (GitHub serves reachable commits), else every branch.
    if (wants.length)
      await git(dir, ['fetch', '--quiet', p.repoUrl, ...wants], { token: p.token }).catch(() =>
        git(dir, ['fetch', '--quiet', p.repoUrl, '+refs/heads/*:refs/remotes/origin/*'], { token: p.token }),
      )
    const file = join(dir, 'backup.bundle')
    writeFileSync(file, p.bundle)
    const [snapshot] = (await git(dir, ['bundle', 'list-heads', file])).split(/\s+/)
    if (!snapshot || !/^[0-9a-f]{40}$/.test(snapshot)) throw new GitFailed('the backup names no commit')
    await git(dir, ['fetch', '--quiet', file, '+refs/bosun/backup:refs/bosun/backup'])
    const tree = await git(dir, ['rev-parse', `${snapshot}^{tree}`])
    if (p.parent && (await git(dir, ['rev-parse', `${p.parent}^{tree}`])) === tree)
      return { pushed: false, sha: p.parent, reason: 'unchanged' }
    const date = `@${Math.floor(p.at / 1000)} +0000`
    const sha = await git(dir, ['commit-tree', tree, ...(base ? ['-p', base] : []), '-m', p.message], {
      env: {
        GIT_AUTHOR_NAME: p.author.name,
        GIT_AUTHOR_EMAIL: p.author.email,
        GIT_COMMITTER_NAME: p.author.name,
        GIT_COMMITTER_EMAIL: p.author.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    })
    try {
      await git(dir, ['push', '--quiet', '--porcelain', p.repoUrl, `${sha}:refs/heads/${p.branch}`], {
        token: p.token,
      })
    } catch (err) {
      const message = (err as Error).message
      if (/rejected|non-fast-forward|fetch first|stale info/i.test(message))
        return { pushed: false, reason: 'rejected', message }
      throw err
    }
    return { pushed: true, sha }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
