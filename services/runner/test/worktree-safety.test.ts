import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ItemBody } from '@bosun/contracts/relay'
import { type TempDir, tempDir } from '@bosun/testkit/wait'
import { makeBackup } from '../src/git/backup'
import type { Confined } from '../src/git/confined'
import { git } from '../src/git/git'
import { materializeBundle } from '../src/run/bundle'
import { reportFiles } from '../src/run/files'
import { chooseSandbox } from '../src/sandbox/sandbox'

/**
 * The agent owns its worktree, `.git` included. What the runner does there on the host (backups, file
 * reports, the bundle) must not run the agent's programs or follow its symlinks to the runner's files.
 * These need bubblewrap, which the runner's deployment has (the sandbox is the point).
 */
const sandbox = chooseSandbox('bwrap')
const dirs: TempDir[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d[Symbol.dispose]()
})

/** A worktree like the runner's (a commit, its base) and a runner-side folder beside it. */
async function worktree() {
  const wt = tempDir('bosun-wt-')
  const host = tempDir('bosun-host-')
  dirs.push(wt, host)
  await git(['init', '--quiet', '-b', 'main'], { cwd: wt.path })
  writeFileSync(join(wt.path, 'README.md'), 'hello\n')
  await git(['add', '-A'], { cwd: wt.path })
  await git(['commit', '--quiet', '-m', 'base'], { cwd: wt.path })
  const base = await git(['rev-parse', 'HEAD'], { cwd: wt.path })
  const c: Confined = { sandbox, dir: wt.path, readable: [] }
  return { c, dir: wt.path, host: host.path, base }
}

describe('the agent worktree, from the host', () => {
  test("a backup runs none of the programs the agent's git config names, and still holds its changes", async () => {
    const { c, dir, host, base } = await worktree()
    const marker = (name: string) => join(host, name)
    await git(['config', 'core.fsmonitor', `touch ${marker('fsmonitor')}; echo`], { cwd: dir })
    await git(['config', 'filter.evil.clean', `touch ${marker('filter')}; cat`], { cwd: dir })
    writeFileSync(join(dir, '.gitattributes'), '* filter=evil\n')
    writeFileSync(join(dir, 'work.txt'), 'the agent was here\n')
    const backup = await makeBackup(c, base)
    expect(backup?.bundle.subarray(0, 16).toString()).toStartWith('# v2 git bundle')
    expect(existsSync(marker('fsmonitor'))).toBe(false)
    expect(existsSync(marker('filter'))).toBe(false)
  })

  test('a file the agent turned into a symlink to a runner file is reported without its target', async () => {
    const { c, dir, host } = await worktree()
    writeFileSync(join(host, 'secret'), 'runner-secret-canary-91c2\n')
    symlinkSync(join(host, 'secret'), join(dir, 'leak.txt'))
    writeFileSync(join(dir, 'plain.txt'), 'visible\n')
    const items: ItemBody[] = []
    await reportFiles(c, 'k', [join(dir, 'leak.txt'), join(dir, 'plain.txt')], (_k, body) => items.push(body))
    expect(items.map((i) => (i.kind === 'file_change' ? i.path : i.kind))).toEqual(['leak.txt', 'plain.txt'])
    expect(JSON.stringify(items)).not.toContain('runner-secret-canary')
    expect(JSON.stringify(items[1])).toContain('+visible')
  })

  test('bundle items are not written through a symlinked folder or file of the checkout', async () => {
    const { dir, host } = await worktree()
    mkdirSync(join(host, 'outside'))
    symlinkSync(join(host, 'outside'), join(dir, 'docs'))
    symlinkSync(join(host, 'target.md'), join(dir, 'AGENTS.md'))
    const item = (path: string) => ({ kind: 'files' as const, name: 'n', path, content: 'bundle text' })
    const { written, refused } = materializeBundle(dir, [
      item('docs/x.md'),
      item('AGENTS.md'),
      item('ok/y.md'),
    ])
    expect(refused).toEqual(['docs/x.md', 'AGENTS.md'])
    expect(written).toEqual(['ok/y.md'])
    expect(existsSync(join(host, 'outside', 'x.md'))).toBe(false)
    expect(existsSync(join(host, 'target.md'))).toBe(false)
  })
})
