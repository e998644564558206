import type { IssueMeta, RateLimit } from '@bosun/contracts/dashboard'
import type { Principal } from '@bosun/contracts/principal'
import { notFound } from '@bosun/service-kit/errors'
import type { DashboardDeps } from '../deps'
import { GitHubMissing } from '../github/errors'
import { type IssueRow, issueRow } from '../github/rows'
import type { GhRateLimit } from '../github/types'
import { resolveWorkspace } from '../workspaces/service'

/** Title, state, draft and merged_at of an issue or pull request in one of the workspace's repositories. */
export async function issueMeta(
  deps: DashboardDeps,
  principal: Principal,
  target: { owner: string; repo: string; number: number },
  workspace: string | undefined,
): Promise<IssueMeta> {
  const view = await resolveWorkspace(deps, principal, workspace)
  const wanted = `${target.owner}/${target.repo}`.toLowerCase()
  const repo = view.snapshot.repositories.find((r) => r.fullName.toLowerCase() === wanted)?.fullName
  if (!repo) throw notFound('Issue')
  const reader = deps.readers.forPrincipal(principal)
  let issue: IssueRow
  try {
    issue = await deps.gh.get(
      reader,
      repo,
      { repo, scope: 'issues' },
      `/repos/${repo}/issues/${target.number}`,
      issueRow,
    )
  } catch (err) {
    if (err instanceof GitHubMissing) throw notFound('Issue')
    throw err
  }
  return {
    title: issue.title,
    state: issue.state === 'closed' ? 'closed' : 'open',
    draft: issue.draft,
    merged_at: issue.merged_at,
  }
}

/**
 * The caller's GitHub rate limit: their own token's, or for API keys the App installation's on the workspace's
 * first repository.
 */
export async function rateLimit(
  deps: DashboardDeps,
  principal: Principal,
  workspace: string | undefined,
): Promise<RateLimit> {
  const reader = deps.readers.forPrincipal(principal)
  let repo = ''
  if (reader.kind === 'app') {
    const view = await resolveWorkspace(deps, principal, workspace)
    repo = view.snapshot.repositories[0]?.fullName ?? ''
    if (!repo) throw notFound('Repository')
  }
  const body = await deps.gh.uncached<GhRateLimit>(reader, repo, '/rate_limit')
  const resources: RateLimit['resources'] = {}
  for (const [name, r] of Object.entries(body.resources)) {
    if (!r) continue
    resources[name] = {
      limit: r.limit,
      remaining: r.remaining,
      used: r.used,
      resetAt: new Date(r.reset * 1000).toISOString(),
    }
  }
  const observed: RateLimit['observed'] = {}
  for (const [name, o] of Object.entries(deps.budget.observed(reader.key)))
    observed[name] = {
      limit: o.limit,
      remaining: o.remaining,
      resetAt: new Date(o.resetAt).toISOString(),
      observedAt: new Date(o.observedAt).toISOString(),
    }
  return { identity: reader.kind, resources, reserve: deps.budget.reserve, observed }
}
