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

const addedDiff = (rel: string, text: string) =>
  `--- /dev/null\n+++ b/${rel}\n${text
    .split('\n')
    .map((l) => `+${l}`)
    .join('\n')}`
