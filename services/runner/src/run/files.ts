import { relative } from 'node:path'
import type { ItemBody } from '@bosun/contracts/relay'
import { type Confined, confinedGit, confinedRun } from '../git/confined'

const MAX_DIFF = 100_000

/**
 * file_change items for the files one opencode patch touched, with their diff against HEAD. Status, diff
 * and contents are read inside the sandbox: a path the agent made a symlink to a runner file, or a
 * textconv driver in its config, must not reach past the worktree.
 */
export async function reportFiles(
  c: Confined,
  key: string,
  files: string[],
  item: (key: string, body: ItemBody) => void,
) {
  for (const file of files) {
    const rel = relative(c.dir, file)
    if (rel.startsWith('..')) continue
    const porcelain = await confinedGit(c, ['status', '--porcelain', '--', rel]).catch(() => '')
    const code = porcelain.slice(0, 2)
    const change =
      code.includes('?') || code.includes('A') ? 'added' : code.includes('D') ? 'deleted' : 'modified'
    const diff =
      change === 'added'
        ? addedDiff(
            rel,
            (await confinedRun(c, ['cat', '--', rel], { maxBytes: MAX_DIFF })).stdout.toString('utf8'),
          )
        : await confinedGit(c, ['diff', 'HEAD', '--', rel]).catch(() => '')
    item(`${key}:${rel}`, {
      kind: 'file_change',
      path: rel,
      change,
      ...(diff ? { diff: diff.slice(0, MAX_DIFF) } : {}),
    })
  }
}

/** A new file as a unified diff with its hunk header; the text's last newline ends a line, it adds none. */
export const addedDiff = (rel: string, text: string) => {
  if (!text) return `--- /dev/null\n+++ b/${rel}\n`
  const lines = text.split('\n')
  const complete = lines.at(-1) === ''
  if (complete) lines.pop()
  return `--- /dev/null\n+++ b/${rel}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}\n`).join('')}${
    complete ? '' : '\\ No newline at end of file\n'
  }`
}
