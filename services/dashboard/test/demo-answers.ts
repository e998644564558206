import { ISSUE_BUCKETS, PR_BUCKETS } from '@bosun/contracts/dashboard'

/** What the demo workspace's buckets show, without what moves between runs (times, shas, ports). */
export type DemoAnswers = Record<string, unknown[]>

const VOLATILE = new Set([
  'createdAt',
  'updatedAt',
  'headSha',
  'lastCommitAt',
  'url',
  'avatarUrl',
  'id',
  'at',
])

const WHOSE = new Set(['review-requested', 'mine', 'assigned'])

export const strip = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(strip)
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, x]) => [k, strip(x)]),
    )
  return v
}

/** Every PR and issue bucket of `workspace`, read as `read` does, rows ordered by number. */
export async function demoAnswers(
  read: (path: string) => Promise<{ results: Array<{ number: number }> }>,
  workspace: string,
  login: string,
): Promise<DemoAnswers> {
  const out: DemoAnswers = {}
  const rows = (page: { results: Array<{ number: number }> }) =>
    strip([...page.results].sort((a, b) => a.number - b.number)) as unknown[]
  const query = (bucket: string) =>
    `bucket=${bucket}&workspace=${workspace}&page_size=100${WHOSE.has(bucket) ? `&login=${login}` : ''}`
  for (const bucket of Object.keys(PR_BUCKETS))
    out[`prs:${bucket}`] = rows(await read(`/api/dashboard/prs?${query(bucket)}`))
  for (const bucket of Object.keys(ISSUE_BUCKETS))
    out[`issues:${bucket}`] = rows(await read(`/api/dashboard/issues?${query(bucket)}`))
  return out
}
