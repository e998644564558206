import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'
import { gitEnv } from '../src/github/git'
import { type TempDir, tempDir, waitFor } from '../src/wait'

const REPO = 'demo-org/demo-repo'
let gh: GitHubEmulator
let work: TempDir

beforeAll(async () => {
  gh = await startGitHubEmulator({ seed: 'demo' })
  work = tempDir('bosun-git-client-')
})
afterAll(async () => {
  await gh.stop()
  work[Symbol.dispose]()
})

async function git(cwd: string, ...args: string[]) {
  const proc = Bun.spawn(['git', ...args], {
    cwd,
    env: gitEnv({ GIT_TERMINAL_PROMPT: '0' }),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { code, out: out.trim(), err }
}

const remote = (token?: string) =>
  `${gh.url.replace('://', token ? `://x-access-token:${token}@` : '://')}/${REPO}.git`

describe('git over smart HTTP', () => {
  test('clone a public repository anonymously: main has the README', async () => {
    const dir = join(work.path, 'anon')
    const res = await git(work.path, 'clone', '--quiet', remote(), dir)
    expect(res.code).toBe(0)
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('demo-repo')
    expect((await git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).out).toBe('main')
    const branches = (await git(dir, 'branch', '-r')).out
    expect(branches).toContain('origin/docs/release-process')
    const pull = gh.state.requirePull(REPO, 10)
    expect((await git(dir, 'rev-parse', `origin/${pull.pull.head.ref}`)).out).toBe(pull.pull.head.sha)
  })

  test('push with an installation token moves the pull request head and sends push + synchronize', async () => {
    const token = gh.state.installationToken(REPO)
    const dir = join(work.path, 'push')
    expect((await git(work.path, 'clone', '--quiet', remote(token), dir)).code).toBe(0)
    const pull = gh.state.requirePull(REPO, 10)
    const before = pull.pull.head.sha
    await git(dir, 'checkout', '--quiet', pull.pull.head.ref)
    writeFileSync(join(dir, 'docs', 'release.md'), '# Releasing\n\nRewritten.\n')
    expect((await git(dir, 'commit', '--quiet', '-am', 'Rewrite the release docs')).code).toBe(0)
    const sha = (await git(dir, 'rev-parse', 'HEAD')).out
    const pushed = await git(dir, 'push', '--quiet', 'origin', pull.pull.head.ref)
    expect(pushed.code).toBe(0)
    // The push is processed when git http-backend has exited, just after the client got its answer.
    await waitFor(() => pull.pull.head.sha === sha, 10_000, 'the pull request head to move')
    await gh.webhooksSettled()
    const events = gh.deliveries
      .filter((d) => d.body.includes(sha))
      .map((d) => `${d.event}.${d.action ?? ''}`)
    expect(events).toEqual(['push.', 'pull_request.synchronize'])
    const sync = JSON.parse(gh.deliveries.find((d) => d.action === 'synchronize')!.body)
    expect(sync).toMatchObject({ before, after: sha, pull_request: { head: { sha } } })
  })

  test('pushes without credentials or with a bad token are refused; reads of a private repository need one', async () => {
    const dir = join(work.path, 'anon')
    await git(dir, 'checkout', '--quiet', '-b', 'anon-branch')
    expect((await git(dir, 'push', '--quiet', 'origin', 'anon-branch')).code).not.toBe(0)
    expect((await git(dir, 'push', '--quiet', remote('ghs_forged'), 'anon-branch')).code).not.toBe(0)
    gh.state.addRepo('demo-org/private-repo', { private: true })
    const privateUrl = `${gh.url}/demo-org/private-repo.git`
    expect((await git(work.path, 'clone', '--quiet', privateUrl, join(work.path, 'p1'))).code).not.toBe(0)
    const withUser = privateUrl.replace('://', `://x-access-token:${gh.state.tokenFor('octo-dev')}@`)
    expect((await git(work.path, 'clone', '--quiet', withUser, join(work.path, 'p2'))).code).toBe(0)
  })
})
