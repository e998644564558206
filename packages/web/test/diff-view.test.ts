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
