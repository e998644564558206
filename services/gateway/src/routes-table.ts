import type { GatewayEnv } from './env'

export type Area = { service: string; match: RegExp; maxBodyBytes: number }

const KB = 1024
const MB = 1024 * KB

/**
 * The one table: which service owns which `/api` path. First match wins, so specific rows come first. Each body
 * limit is the service's own (its app factory's `maxBodyBytes`), so a body too large is 413 at the door as it
 * would be straight at the service; the service still checks the Content-Length passed on to it.
 */
export const AREAS: readonly Area[] = [
  { service: 'artifacts', match: /^\/api\/workspaces\/[^/]+\/artifacts(\/|$)/, maxBodyBytes: 2 * MB },
  { service: 'workspace', match: /^\/api\/workspaces(\/|$)/, maxBodyBytes: 256 * KB },
  { service: 'auth', match: /^\/api\/auth(\/|$)/, maxBodyBytes: 64 * KB },
  { service: 'dashboard', match: /^\/api\/(dashboard|github|rate-limit)(\/|$)/, maxBodyBytes: 16 * KB },
  {
    service: 'aica',
    match:
      /^\/api\/(aica|agent-sessions|worktrees|auto-trigger-repos|team-shared-creds|providers|usage)(\/|$)/,
    maxBodyBytes: 1 * MB,
  },
  // GitHub allows webhook payloads up to 25 MB; the webhooks service enforces its own limit.
  { service: 'webhooks', match: /^\/api\/(webhooks|webhook-deliveries)(\/|$)/, maxBodyBytes: 26 * MB },
]

export const MAX_BODY_BYTES = Math.max(...AREAS.map((a) => a.maxBodyBytes))

export function upstreams(env: GatewayEnv): Record<string, string> {
  return {
    auth: env.BOSUN_AUTH_URL,
    workspace: env.BOSUN_WORKSPACE_URL,
    dashboard: env.BOSUN_DASHBOARD_URL,
    artifacts: env.BOSUN_ARTIFACTS_URL,
    aica: env.BOSUN_AICA_URL,
    webhooks: env.BOSUN_WEBHOOKS_URL,
  }
}

export function areaFor(pathname: string): Area | undefined {
  return AREAS.find((a) => a.match.test(pathname))
}
