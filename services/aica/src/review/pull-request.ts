import { AppError } from '@bosun/service-kit/errors'

/** A PR title is one line; GitHub cuts at 256, a readable one is shorter. */
const TITLE_MAX = 120
/** Room left in GitHub's 65,536-character body for the links Bosun adds. */
const SUMMARY_MAX = 60_000

export type PullText = { title: string; body: string }

/**
 * The pull request's title and body from the agent's own summary (its final answer), with a link back to the
 * session and `Fixes #N` when the thread came from an issue of this repository. The summary is the agent's
 * output: it is only ever text in the body, and a title of one line.
 */
export function pullText(opts: {
  summary: string | undefined
  prompt: string
  sessionUrl: string
  repo: string
  sourceIssue: string | null
}): PullText {
  const source = (opts.summary ?? '').trim()
  const firstLine = (source || opts.prompt)
    .split('\n')
    .map((l) => l.replace(/^[#>*\-\s`]+/, '').trim())
    .find(Boolean)
  const title = (firstLine ?? 'Changes by Bosun').slice(0, TITLE_MAX)
  const issue = opts.sourceIssue?.toLowerCase().startsWith(`${opts.repo.toLowerCase()}#`)
    ? opts.sourceIssue.slice(opts.repo.length + 1)
    : undefined
  const parts = [
    source ? source.slice(0, SUMMARY_MAX) : '_The agent left no summary._',
    '---',
    `Opened by Bosun from [this agent session](${opts.sessionUrl}).`,
    ...(issue && /^\d+$/.test(issue) ? [`Fixes #${issue}`] : []),
  ]
  return { title, body: parts.join('\n\n') }
}

type Pull = { number: number; html_url: string }

async function gh(apiUrl: string, token: string, method: string, path: string, body?: unknown) {
  let res: Response
  try {
    res = await fetch(`${apiUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'bosun-aica',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    })
  } catch {
    throw new AppError('unavailable', 'GitHub could not be reached')
  }
  return res
}

/**
 * The open (or closed) pull request of `branch`, else a new one: looking first makes a rerun after a crash,
 * or a second approval, land on the same pull request.
 */
export async function findOrOpenPull(opts: {
  apiUrl: string
  token: string
  repo: string
  branch: string
  base: string
  text: PullText
  draft: boolean
}): Promise<Pull & { opened: boolean }> {
  const owner = opts.repo.split('/')[0]
  const head = encodeURIComponent(`${owner}:${opts.branch}`)
  const find = async () => {
    const listed = await gh(
      opts.apiUrl,
      opts.token,
      'GET',
      `/repos/${opts.repo}/pulls?head=${head}&state=all`,
    )
    if (!listed.ok)
      throw new AppError('unavailable', `GitHub answered ${listed.status} listing pull requests`)
    const [existing] = (await listed.json()) as Pull[]
    return existing ? { number: existing.number, html_url: existing.html_url, opened: false } : undefined
  }
  const existing = await find()
  if (existing) return existing
  const created = await gh(opts.apiUrl, opts.token, 'POST', `/repos/${opts.repo}/pulls`, {
    title: opts.text.title,
    body: opts.text.body,
    head: opts.branch,
    base: opts.base,
    draft: opts.draft,
  })
  // Another instance opened it in between (GitHub: "A pull request already exists"): that one is ours.
  if (created.status === 422) {
    const raced = await find()
    if (raced) return raced
  }
  if (created.status !== 201) {
    const detail = ((await created.json().catch(() => ({}))) as { message?: string }).message ?? ''
    throw new AppError(
      'unavailable',
      `GitHub refused the pull request (HTTP ${created.status}${detail ? `: ${detail.slice(0, 300)}` : ''})`,
    )
  }
  const pull = (await created.json()) as Pull
  return { number: pull.number, html_url: pull.html_url, opened: true }
}
