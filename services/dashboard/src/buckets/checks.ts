import type { ChecksSummary } from '@bosun/contracts/dashboard'
import type { CheckPolicy } from '@bosun/contracts/workspace'
import type { CheckRunRow, StatusRow } from '../github/rows'

type Outcome = 'passed' | 'failed' | 'pending'

const FAILED_CONCLUSIONS = new Set([
  'failure',
  'timed_out',
  'cancelled',
  'action_required',
  'startup_failure',
])
const PASSED_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

const runOutcome = (r: CheckRunRow): Outcome => {
  if (r.status !== 'completed' || !r.conclusion) return 'pending'
  if (PASSED_CONCLUSIONS.has(r.conclusion)) return 'passed'
  return FAILED_CONCLUSIONS.has(r.conclusion) ? 'failed' : 'pending'
}
const statusOutcome = (s: StatusRow): Outcome =>
  s.state === 'success' ? 'passed' : s.state === 'failure' || s.state === 'error' ? 'failed' : 'pending'

/** `*` matches any run of characters, `?` one; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`)
}
const globs = new Map<string, RegExp>()
const glob = (pattern: string) => {
  let re = globs.get(pattern)
  if (!re) {
    re = globToRegExp(pattern)
    if (globs.size > 10_000) globs.clear()
    globs.set(pattern, re)
  }
  return re
}

export const policiesFor = (policies: readonly CheckPolicy[], repo: string) =>
  policies.filter((p) => p.repos.length === 0 || p.repos.some((r) => r.toLowerCase() === repo.toLowerCase()))

/**
 * Every check on the head commit, one per name (a re-run replaces the earlier run), and each required pattern
 * of the applicable policies: missing when nothing matches, failed when any match failed, pending while any
 * match runs, else passed.
 */
export function summarizeChecks(
  runs: readonly CheckRunRow[],
  statuses: readonly StatusRow[],
  policies: readonly CheckPolicy[],
): ChecksSummary {
  const latest = new Map<string, CheckRunRow>()
  for (const r of runs) {
    const seen = latest.get(r.name)
    if (!seen || r.id > seen.id) latest.set(r.name, r)
  }
  const all: Array<{ name: string; outcome: Outcome }> = [
    ...[...latest.values()].map((r) => ({ name: r.name, outcome: runOutcome(r) })),
    ...statuses.map((s) => ({ name: s.context, outcome: statusOutcome(s) })),
  ]
  const count = (o: Outcome) => all.filter((c) => c.outcome === o).length
  const failed = count('failed')
  const pending = count('pending')
  const required = policies.flatMap((policy) =>
    policy.requiredChecks.map((pattern) => {
      const hits = all.filter((c) => glob(pattern).test(c.name))
      const state =
        hits.length === 0
          ? ('missing' as const)
          : hits.some((h) => h.outcome === 'failed')
            ? ('failed' as const)
            : hits.some((h) => h.outcome === 'pending')
              ? ('pending' as const)
              : ('passed' as const)
      return { policy: policy.name, pattern, state, matched: hits.map((h) => h.name) }
    }),
  )
  return {
    state: all.length === 0 ? 'none' : failed > 0 ? 'failure' : pending > 0 ? 'pending' : 'success',
    total: all.length,
    passed: count('passed'),
    failed,
    pending,
    required,
  }
}
