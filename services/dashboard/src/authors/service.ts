import type { HistoryItem, VettedAuthor } from '@bosun/contracts/dashboard'
import type { Principal } from '@bosun/contracts/principal'
import type { DashboardDeps } from '../deps'
import { GitHubMissing } from '../github/errors'
import { mapLimit } from '../github/repo-data'
import type { GhSearch, GhSearchItem } from '../github/types'
import { resolveWorkspace } from '../workspaces/service'

const LIMIT = 50
/** GitHub refuses search queries longer than 256 characters. */
const MAX_QUERY = 256

/** Groups `repo:` qualifiers into as few queries as fit; an installation token sees one repository, so one each. */
export function searchQueries(login: string, repos: readonly string[], perRepo: boolean): string[] {
  const head = `author:${login}`
  const out: string[] = []
  let current = head
  for (const repo of repos) {
    const part = ` repo:${repo}`
    if (current !== head && (perRepo || current.length + part.length > MAX_QUERY)) {
      out.push(current)
      current = head
    }
    current += part
  }
  if (current !== head) out.push(current)
  return out
}

const repoOf = (url: string) => url.match(/\/repos\/([^/]+\/[^/]+)$/)?.[1] ?? ''

const toHistory = (i: GhSearchItem): HistoryItem => ({
  repo: repoOf(i.repository_url),
  number: i.number,
  title: i.title,
  url: i.html_url,
  state: i.state === 'closed' ? 'closed' : 'open',
  draft: Boolean(i.draft),
  mergedAt: i.pull_request?.merged_at ?? null,
  createdAt: i.created_at,
  updatedAt: i.updated_at,
})

/** Recent pull requests and issues by `login` across the workspace's repositories, with their author record. */
export async function vettedAuthor(
  deps: DashboardDeps,
  principal: Principal,
  login: string,
  workspace: string | undefined,
): Promise<VettedAuthor> {
  const view = await resolveWorkspace(deps, principal, workspace)
  const reader = deps.readers.forPrincipal(principal)
  const repos = view.snapshot.repositories.map((r) => r.fullName)
  const queries = searchQueries(login, repos, reader.kind === 'app')
  const found = await mapLimit(queries, 4, async (q) => {
    const repo = q.match(/repo:(\S+)/)?.[1] ?? ''
    const path = `/search/issues?q=${encodeURIComponent(q)}&sort=updated&order=desc&per_page=${LIMIT}`
    try {
      return (await deps.gh.get(reader, repo, 'global', path, (b) => b as GhSearch)).items
    } catch (err) {
      if (err instanceof GitHubMissing) return []
      throw err
    }
  })
  const items = found
    .flat()
    .map((i) => ({ i, h: toHistory(i) }))
    .sort((a, b) => b.h.updatedAt.localeCompare(a.h.updatedAt))
  const pick = (prs: boolean) =>
    items
      .filter(({ i }) => Boolean(i.pull_request) === prs)
      .slice(0, LIMIT)
      .map(({ h }) => h)
  return {
    login,
    workspace: view.id,
    member: view.members.has(login.toLowerCase()),
    record: view.authors.get(login.toLowerCase()) ?? null,
    pullRequests: pick(true),
    issues: pick(false),
  }
}
