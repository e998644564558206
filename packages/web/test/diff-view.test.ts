import { expect, test } from 'bun:test'
import { parseUnifiedDiff, withHunkHeader } from '../src/pages/agent-sessions/detail/plain-diff'

test('lines are numbered from the hunk header, or from 1 when the diff has none', () => {
  const withHunk = parseUnifiedDiff('--- a/x\n+++ b/x\n@@ -3,2 +3,2 @@\n same\n-old\n+new\n')
  expect(withHunk.map((l) => [l.kind, l.old, l.new])).toEqual([
    ['hunk', undefined, undefined],
    ['ctx', 3, 3],
    ['del', 4, undefined],
    ['add', undefined, 4],
  ])
  const bare = parseUnifiedDiff('+hello\n+world')
  expect(bare.map((l) => l.new)).toEqual([1, 2])
})

test('a diff without a hunk header gets one the viewer can parse; one with a header is kept', () => {
  expect(withHunkHeader('--- /dev/null\n+++ b/x\n+hello\n+world')).toBe('@@ -0,0 +1,2 @@\n+hello\n+world\n')
  const kept = '--- a/x\n+++ b/x\n@@ -3,2 +3,2 @@\n same\n-old\n+new\n'
  expect(withHunkHeader(kept)).toBe(kept)
})

test('removed and added lines that look like file headers are kept once the hunks start', () => {
  const diff =
    'diff --git a/q.sql b/q.sql\n--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n--- old comment\n+++ new counter\n same\n'
  expect(parseUnifiedDiff(diff).map((l) => [l.kind, l.text, l.old, l.new])).toEqual([
    ['hunk', '@@ -1,2 +1,2 @@', undefined, undefined],
    ['del', '-- old comment', 1, undefined],
    ['add', '++ new counter', undefined, 1],
    ['ctx', 'same', 2, 2],
  ])
  // A second file's headers are headers again; a hunk-less diff's content past its headers is content.
  const two = `${diff}diff --git a/r b/r\n--- a/r\n+++ b/r\n@@ -5 +5 @@\n-x\n+y\n`
  expect(parseUnifiedDiff(two).filter((l) => l.kind === 'hunk')).toHaveLength(2)
  expect(parseUnifiedDiff(two)).toHaveLength(7)
  expect(parseUnifiedDiff('--- /dev/null\n+++ b/x\n+++ plus\n').map((l) => l.text)).toEqual(['++ plus'])
})
