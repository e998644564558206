import type { Thread } from '../data/agent-session'

type Usage = Thread['usage']
type Changes = NonNullable<Thread['changes']>

const fmt = new Intl.NumberFormat('en')
// The generated types let integers arrive as strings (OpenAPI `integer`); they are numbers on the wire.
const n = (v: number | string) => Number(v)

/** "1,234 tokens · $0.0123": a thread's model usage so far (the split, cache included, in the title). */
export function UsageSummary({ usage: u }: { usage: Usage }) {
  const detail =
    `${fmt.format(n(u.inputTokens))} in, ${fmt.format(n(u.outputTokens))} out, ` +
    `${fmt.format(n(u.cacheReadTokens))} cache read, ${fmt.format(n(u.cacheWriteTokens))} cache write`
  const cost = n(u.costUsd)
  return (
    <span className="usage" title={detail}>
      {fmt.format(n(u.inputTokens) + n(u.outputTokens))} tokens{cost ? ` · $${cost.toFixed(4)}` : ''}
    </span>
  )
}

/** "3 files +12 −4": what the agent changed in the worktree against where it started. */
export function ChangeSummary({ changes: c }: { changes: Changes }) {
  const files = n(c.files)
  return (
    <span
      className="changes"
      title={`${files} ${files === 1 ? 'file' : 'files'} changed, ${n(c.additions)} lines added, ${n(c.deletions)} removed`}
    >
      {files} {files === 1 ? 'file' : 'files'} <span className="additions">+{n(c.additions)}</span>{' '}
      <span className="deletions">−{n(c.deletions)}</span>
    </span>
  )
}
