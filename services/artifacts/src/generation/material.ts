import type { ArtifactKind } from '@bosun/contracts/artifacts'
import { AppError, unavailable } from '@bosun/service-kit/errors'
import type { GitHubApp } from '@bosun/service-kit/github-app'

/** What the agent is given about the issue or PR: read as the App, since its sandbox holds no GitHub token. */
export type Material = {
  title: string
  state: string
  author: string
  labels: string[]
  body: string
  comments: Array<{ author: string; at: string; body: string }>
  reviews: Array<{ author: string; state: string; at: string; body: string }>
  diff: string | null
}

const BODY_MAX = 20_000
const COMMENT_MAX = 4_000
const COMMENTS_MAX = 60
const DIFF_MAX = 60_000

type User = { login?: string } | null
type Comment = {
  user?: User
  created_at?: string
  submitted_at?: string
  body?: string | null
  state?: string
}

const cut = (text: string | null | undefined, max: number) => {
  const s = text ?? ''
  return s.length > max ? `${s.slice(0, max)}\n[… cut at ${max} characters]` : s
}

export async function readMaterial(
  app: GitHubApp,
  apiUrl: string,
  repo: string,
  kind: ArtifactKind,
  number: number,
): Promise<Material> {
  const { token } = await app.installationToken(repo)
  const base = `${apiUrl.replace(/\/+$/, '')}/repos/${repo}`
  const get = async (path: string, accept = 'application/vnd.github+json') => {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${token}`, accept, 'user-agent': 'bosun-artifacts' },
      })
    } catch {
      throw unavailable('GitHub is unreachable')
    }
    if (res.status === 404)
      throw new AppError('not_found', `${repo} has no ${kind === 'pr' ? 'pull request' : 'issue'} #${number}`)
    if (res.status === 401) app.forget(repo)
    if (!res.ok) throw unavailable(`GitHub answered ${res.status} for ${path}`)
    return res
  }
  const json = async <T>(path: string) => (await (await get(path)).json()) as T

  const item = await json<{
    title: string
    state: string
    user?: User
    body?: string | null
    labels?: Array<{ name?: string } | string>
  }>(kind === 'pr' ? `/pulls/${number}` : `/issues/${number}`)
  const comments = await json<Comment[]>(`/issues/${number}/comments?per_page=100`)
  const material: Material = {
    title: item.title,
    state: item.state,
    author: item.user?.login ?? 'unknown',
    labels: (item.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    body: cut(item.body, BODY_MAX),
    comments: comments.slice(-COMMENTS_MAX).map((c) => ({
      author: c.user?.login ?? 'unknown',
      at: c.created_at ?? '',
      body: cut(c.body, COMMENT_MAX),
    })),
    reviews: [],
    diff: null,
  }
  if (kind !== 'pr') return material
  const reviews = await json<Comment[]>(`/pulls/${number}/reviews?per_page=100`)
  const reviewComments = await json<Comment[]>(`/pulls/${number}/comments?per_page=100`)
  material.reviews = [...reviews, ...reviewComments].slice(-COMMENTS_MAX).map((r) => ({
    author: r.user?.login ?? 'unknown',
    state: r.state ?? 'COMMENTED',
    at: r.submitted_at ?? r.created_at ?? '',
    body: cut(r.body, COMMENT_MAX),
  }))
  const diff = await get(`/pulls/${number}`, 'application/vnd.github.diff')
  // A GitHub that cannot render the diff answers JSON; the log is then written without it.
  if ((diff.headers.get('content-type') ?? '').includes('diff'))
    material.diff = cut(await diff.text(), DIFF_MAX)
  return material
}
