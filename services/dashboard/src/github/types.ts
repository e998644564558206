import type { components } from '@octokit/openapi-types'

/** GitHub's REST shapes from its OpenAPI description (the contract with GitHub). */
type S = components['schemas']
export type GhPull = S['pull-request-simple']
export type GhIssue = S['issue']
export type GhReview = S['pull-request-review']
export type GhCombinedStatus = S['combined-commit-status']
export type GhCommit = S['commit']
export type GhSearchItem = S['issue-search-result-item']
export type GhRateLimit = S['rate-limit-overview']
export type GhCheckRuns = { total_count: number; check_runs: S['check-run'][] }
export type GhSearch = { total_count: number; incomplete_results: boolean; items: GhSearchItem[] }

/** A review thread as the ready rule reads it: resolved or not, and when its comments were written. */
export type ReviewThread = { isResolved: boolean; comments: { nodes: Array<{ createdAt: string }> } }
