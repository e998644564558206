/** The runner's own git config must not leak in (hooks, credential helpers, signing). */
export const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Bosun agent',
  GIT_AUTHOR_EMAIL: 'agent@bosun.invalid',
  GIT_COMMITTER_NAME: 'Bosun agent',
  GIT_COMMITTER_EMAIL: 'agent@bosun.invalid',
})

export class GitError extends Error {}

/**
 * Runs git and returns its trimmed stdout. Credentials travel as `-c http.extraHeader` on the command line
 * of this one call, so they are never written into a repository's config.
 */
export async function git(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; token?: string } = {},
): Promise<string> {
  const auth = opts.token
    ? ['-c', `http.extraHeader=Authorization: Basic ${btoa(`x-access-token:${opts.token}`)}`]
    : []
  const proc = Bun.spawn(['git', ...auth, ...args], {
    cwd: opts.cwd,
    env: { ...baseEnv(), ...opts.env },
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
    const message = opts.token ? err.replaceAll(opts.token, '[redacted]') : err
    throw new GitError(`git ${args[0]} failed: ${message.trim().slice(0, 500)}`)
  }
  return out.trim()
}
