import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DIFF_MAX_FILE_PATCH_CHARS, DIFF_MAX_TOTAL_PATCH_CHARS } from '@bosun/contracts/changes'
import { type TempDir, tempDir } from '@bosun/testkit/wait'
import { makeBackup, restoreBackup } from '../src/git/backup'
import { checkout } from '../src/git/checkout'
import { git } from '../src/git/git'
import { readCheckout, readDiff } from '../src/read/read'
import { chooseSandbox } from '../src/sandbox/sandbox'

/** The diff is read in bubblewrap, as the runner's deployment has it (the checkout is the agent's). */
const sandbox = chooseSandbox('bwrap')
const dirs: TempDir[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d[Symbol.dispose]()
})

/** A mirror with a base commit and a checkout of it, as the runner makes them. */
async function setup() {
  const root = tempDir('bosun-diff-')
  dirs.push(root)
  const src = join(root.path, 'src')
  mkdirSync(src)
  await git(['init', '--quiet', '-b', 'main'], { cwd: src })
  writeFileSync(join(src, 'keep.txt'), 'a\nb\nc\n')
  writeFileSync(join(src, 'old-name.txt'), 'this file is renamed by the agent\nline two\nline three\n')
  writeFileSync(join(src, 'gone.txt'), 'deleted by the agent\n')
  await git(['add', '-A'], { cwd: src })
  await git(['commit', '--quiet', '-m', 'base'], { cwd: src })
  const mirror = join(root.path, 'mirror.git')
  await git(['clone', '--mirror', '--quiet', src, mirror])
  const dir = join(root.path, 'wt')
  const baseSha = await checkout({ mirror, dir, ref: 'main' })
  return { root: root.path, mirror, dir, baseSha, target: { sandbox, dir, baseSha, mirror } }
}

describe('a worktree diff', () => {
  test('lists added, modified, deleted, renamed and binary files with line counts and patches', async () => {
    const { dir, target } = await setup()
    writeFileSync(join(dir, 'keep.txt'), 'a\nB\nc\nd\n')
    writeFileSync(join(dir, 'notes.txt'), 'hello\n')
    rmSync(join(dir, 'gone.txt'))
    renameSync(join(dir, 'old-name.txt'), join(dir, 'new-name.txt'))
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 0, 255]))
    // A commit by the agent counts like any change: the diff is against the base, not HEAD.
    await git(['add', 'notes.txt'], { cwd: dir })
    await git(['commit', '--quiet', '-m', 'agent'], { cwd: dir })

    const diff = await readDiff(target)
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]))
    expect(byPath['keep.txt']).toMatchObject({ status: 'modified', additions: 2, deletions: 1 })
    expect(byPath['keep.txt']?.patch).toContain('+B\n')
    expect(byPath['notes.txt']).toMatchObject({ status: 'added', additions: 1, deletions: 0 })
    expect(byPath['gone.txt']).toMatchObject({ status: 'deleted', deletions: 1 })
    expect(byPath['new-name.txt']).toMatchObject({ status: 'renamed', oldPath: 'old-name.txt' })
    expect(byPath['blob.bin']).toMatchObject({ status: 'binary', additions: 0, deletions: 0 })
    expect(byPath['blob.bin']?.patch).toContain('Binary files')
    expect(diff.totals).toEqual({ files: 5, additions: 3, deletions: 2 })
    expect(diff.truncated).toBe(false)
    expect(diff.baseSha).toBe(target.baseSha)
  })

  test("caps a huge file's patch and the total, and says so", async () => {
    const { dir, target } = await setup()
    const big = Array.from({ length: 40_000 }, (_, i) => `line ${i} of a file far past the cap`).join('\n')
    for (let i = 0; i < 7; i++) writeFileSync(join(dir, `big${i}.txt`), big)
    const diff = await readDiff(target)
    expect(diff.truncated).toBe(true)
    const first = diff.files[0]!
    expect(first.truncated).toBe(true)
    expect(first.patch?.length).toBe(DIFF_MAX_FILE_PATCH_CHARS)
    expect(first.additions).toBe(40_000)
    const total = diff.files.reduce((n, f) => n + (f.patch?.length ?? 0), 0)
    expect(total).toBeLessThanOrEqual(DIFF_MAX_TOTAL_PATCH_CHARS)
    expect(diff.files.at(-1)?.patch).toBeNull()
    expect(diff.totals.additions).toBe(7 * 40_000)
  })

  test('a symlink to a runner file is shown as a link, never read; the agent git config runs nothing', async () => {
    const { root, dir, target } = await setup()
    writeFileSync(join(root, 'secret'), 'runner-secret-canary-5d1e\n')
    symlinkSync(join(root, 'secret'), join(dir, 'leak.txt'))
    symlinkSync(root, join(dir, 'outside'))
    await git(['config', 'core.fsmonitor', `touch ${join(root, 'fsmonitor')}; echo`], { cwd: dir })
    await git(['config', 'filter.evil.clean', `touch ${join(root, 'filter')}; cat`], { cwd: dir })
    await git(['config', 'diff.evil.textconv', `touch ${join(root, 'textconv')}; cat`], { cwd: dir })
    writeFileSync(join(dir, '.gitattributes'), '* filter=evil diff=evil\n')

    const diff = await readDiff(target)
    expect(JSON.stringify(diff)).not.toContain('runner-secret-canary')
    expect(diff.files.find((f) => f.path === 'leak.txt')?.patch).toContain(`+${join(root, 'secret')}`)
    for (const marker of ['fsmonitor', 'filter', 'textconv'])
      expect(existsSync(join(root, marker))).toBe(false)

    const link = await readCheckout(target, { kind: 'file', path: 'leak.txt' })
    expect(link).toMatchObject({ kind: 'file', file: { kind: 'symlink', content: join(root, 'secret') } })
    expect(JSON.stringify(link)).not.toContain('runner-secret-canary')
    await expect(readCheckout(target, { kind: 'file', path: 'outside/secret' })).rejects.toThrow(
      'No such file',
    )
    await expect(readCheckout(target, { kind: 'file', path: '../secret' })).rejects.toThrow('Invalid path')
  })

  test("one file's content and diff; a deleted file has its diff and no content", async () => {
    const { dir, target } = await setup()
    writeFileSync(join(dir, 'keep.txt'), 'a\nb\nc\nmore\n')
    rmSync(join(dir, 'gone.txt'))
    const kept = await readCheckout(target, { kind: 'file', path: 'keep.txt' })
    expect(kept).toMatchObject({
      kind: 'file',
      file: { kind: 'file', content: 'a\nb\nc\nmore\n', size: 11, binary: false, truncated: false },
    })
    if (kept.kind !== 'file') throw new Error('not a file answer')
    expect(kept.file.diff).toMatchObject({ status: 'modified', additions: 1 })
    const gone = await readCheckout(target, { kind: 'file', path: 'gone.txt' })
    expect(gone).toMatchObject({ file: { kind: 'deleted', content: null, diff: { status: 'deleted' } } })
    await expect(readCheckout(target, { kind: 'file', path: 'nope.txt' })).rejects.toThrow('No such file')
  })

  test('a backup restored elsewhere reads the same as the checkout', async () => {
    const { root, mirror, dir, baseSha, target } = await setup()
    writeFileSync(join(dir, 'keep.txt'), 'changed\n')
    writeFileSync(join(dir, 'notes.txt'), 'new\n')
    renameSync(join(dir, 'old-name.txt'), join(dir, 'moved.txt'))
    await git(['add', 'keep.txt'], { cwd: dir })
    await git(['commit', '--quiet', '-m', 'agent'], { cwd: dir })
    const backup = await makeBackup({ sandbox, dir, readable: [mirror] }, baseSha)
    if (!backup) throw new Error('no backup')
    const other = join(root, 'restored')
    await checkout({ mirror, dir: other, ref: baseSha })
    writeFileSync(join(root, 'b.bundle'), backup.bundle)
    await restoreBackup(other, join(root, 'b.bundle'))
    const fromCheckout = await readDiff(target)
    const fromBackup = await readDiff({ ...target, dir: other })
    expect(fromBackup).toEqual(fromCheckout)
    expect(fromCheckout.totals.files).toBe(3)
  })
})
