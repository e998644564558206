import type { components } from '@octokit/openapi-types'

/** GitHub's REST shapes from its OpenAPI description (the contract with GitHub). */
type S = components['schemas']
export type GhIssue = S['issue']
export type GhSearchItem = S['issue-search-result-item']
export type GhRateLimit = S['rate-limit-overview']
export type GhSearch = { total_count: number; incomplete_results: boolean; items: GhSearchItem[] }

/** A review thread as the ready rule reads it: resolved or not, and when its comments were written. */
export type ReviewThread = { isResolved: boolean; comments: { nodes: Array<{ createdAt: string }> } }
