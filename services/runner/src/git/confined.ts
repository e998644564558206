import type { Sandbox } from '../sandbox/sandbox'
import { baseEnv, GitError } from './git'

/** An agent's worktree and what its sandbox may read besides it (the mirror its objects come from). */
export type Confined = { sandbox: Sandbox; dir: string; readable: string[] }

/** The sandbox's own PATH: the runner's may name folders the sandbox does not mount. */
const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin'

/**
 * Runs a command over an agent's worktree inside the agent's sandbox. The agent owns `.git/config`,
 * `.gitattributes` and every path in the folder: git run there on the host would start the programs they
 * name (core.fsmonitor, filter and textconv drivers) as the runner, and reads would follow its symlinks
 * to the runner's files.
 */
export async function confinedRun(
  c: Confined,
  command: string[],
  opts: { env?: Record<string, string>; maxBytes?: number; timeoutMs?: number } = {},
) {
  const argv = c.sandbox.wrap({
    command,
    writable: c.dir,
    readable: c.readable,
    env: { ...baseEnv(), PATH: SANDBOX_PATH, ...opts.env },
  })
  const proc = Bun.spawn(argv, { cwd: c.dir, env: {}, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const max = opts.maxBytes ?? 16 * 1024 * 1024
  // bwrap dies with its parent's kill, and with it everything inside.
  const timer = opts.timeoutMs ? setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs) : undefined
  const collect = async () => {
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of proc.stdout) {
      size += chunk.length
      // The agent decides how much a command prints; past the cap the output is useless anyway.
      if (size > max) {
        proc.kill('SIGKILL')
        chunks.push(chunk.subarray(0, chunk.length - (size - max)))
        return { overflow: true, stdout: Buffer.concat(chunks) }
      }
      chunks.push(chunk)
    }
    return { overflow: false, stdout: Buffer.concat(chunks) }
  }
  const [out, stderr, code] = await Promise.all([
    collect(),
    new Response(proc.stderr).text().then((t) => t.slice(0, 4000)),
    proc.exited,
  ]).finally(() => clearTimeout(timer))
  return { code, ...out, stderr }
}

/** `git` in the worktree, confined; returns its trimmed stdout, throws on a non-zero exit. */
export async function confinedGit(c: Confined, args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await confinedRun(c, ['git', ...args], { env })
  if (code !== 0) throw new GitError(`git ${args[0]} failed: ${stderr.trim().slice(0, 500)}`)
  return stdout.toString('utf8').trim()
}
