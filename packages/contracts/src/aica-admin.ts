import { type Static, t } from 'elysia'
import { RepoFullName, WorkspaceId } from './workspace'

const Time = t.String({ format: 'date-time' })
export const DEFAULT_TRIGGER_LABEL = 'bosun:trigger'

/**
 * Whose GitHub action (opening the issue, labeling it) may start an auto-dispatch on a repository: workspace
 * members only (the default), members and authors recorded `trusted` or `good-enough`, or anyone.
 */
export const AutoTriggerFrom = t.Union([t.Literal('members'), t.Literal('vetted'), t.Literal('anyone')], {
  description:
    'members (default): workspace members only; vetted: members and trusted/good-enough authors; anyone',
})
export type AutoTriggerFrom = Static<typeof AutoTriggerFrom>
export const DEFAULT_TRIGGER_FROM: AutoTriggerFrom = 'members'
/** Issue titles in a prompt are cut at GitHub's own limit; bodies at this many characters. */
export const AUTO_PROMPT_TITLE_MAX = 256
export const AUTO_PROMPT_BODY_MAX = 20_000

export const AutoTriggerRepo = t.Object(
  { repo: RepoFullName, triggerFrom: AutoTriggerFrom, addedBy: t.String(), addedAt: Time },
  { title: 'AutoTriggerRepo' },
)
export const AutoTriggerConfig = t.Object(
  { workspaceId: WorkspaceId, triggerLabel: t.String(), repos: t.Array(AutoTriggerRepo) },
  { title: 'AutoTriggerConfig' },
)
export type AutoTriggerConfig = Static<typeof AutoTriggerConfig>
export const AutoTriggerRepoAdd = t.Object({
  workspace: t.Optional(WorkspaceId),
  repo: RepoFullName,
  triggerFrom: t.Optional(AutoTriggerFrom),
})
export const AutoTriggerRepoSet = t.Object({
  workspace: t.Optional(WorkspaceId),
  triggerFrom: AutoTriggerFrom,
})
export const TriggerLabelSet = t.Object({
  workspace: t.Optional(WorkspaceId),
  label: t.String({ minLength: 1, maxLength: 50 }),
})
export const AutoTriggerRepoParams = t.Object({
  owner: t.String({ maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
  repo: t.String({ maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
})

export const ProviderKind = t.Union(
  [t.Literal('openai'), t.Literal('anthropic'), t.Literal('openrouter'), t.Literal('openai-compatible')],
  { description: 'Which API the key is for' },
)
export type ProviderKind = Static<typeof ProviderKind>
const BaseUrl = t.String({ format: 'uri', maxLength: 500, pattern: '^https?://' })

/** What GET returns: never the key, only whether one is stored. */
export const SharedCreds = t.Object(
  {
    workspaceId: WorkspaceId,
    hasKey: t.Boolean(),
    kind: t.Union([ProviderKind, t.Null()]),
    baseURL: t.Union([t.String(), t.Null()]),
    model: t.Union([t.String(), t.Null()]),
    updatedBy: t.Union([t.String(), t.Null()]),
    updatedAt: t.Union([Time, t.Null()]),
  },
  { title: 'SharedCreds' },
)
export type SharedCreds = Static<typeof SharedCreds>
export const SharedCredsSet = t.Object(
  {
    workspace: t.Optional(WorkspaceId),
    kind: ProviderKind,
    apiKey: t.String({ minLength: 1, maxLength: 4096 }),
    baseURL: t.Optional(BaseUrl),
    model: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  },
  { title: 'SharedCredsSet' },
)

export const HealthCheckRequest = t.Object(
  {
    kind: ProviderKind,
    apiKey: t.String({ minLength: 1, maxLength: 4096 }),
    baseURL: t.Optional(t.String({ maxLength: 500 })),
  },
  { title: 'HealthCheckRequest' },
)
export const HealthCheckResult = t.Object(
  {
    ok: t.Boolean(),
    /** ok, unauthorized (401/403 upstream), unreachable, refused (the URL is not allowed), upstream_error */
    status: t.Union([
      t.Literal('ok'),
      t.Literal('unauthorized'),
      t.Literal('unreachable'),
      t.Literal('refused'),
      t.Literal('upstream_error'),
    ]),
    httpStatus: t.Union([t.Integer(), t.Null()]),
    message: t.String(),
    latencyMs: t.Integer(),
  },
  { title: 'HealthCheckResult' },
)
export type HealthCheckResult = Static<typeof HealthCheckResult>

/** At most this many hosts on a workspace's egress allowlist. */
export const EGRESS_MAX_HOSTS = 64
/**
 * A host the agent's sandbox may reach over HTTPS (port 443, through the runner's egress proxy): a DNS name
 * of two labels or more, or `*.` and such a name for its subdomains. No IP address (the last label starts
 * with a letter), no port, no single-label wildcard like `*.com`.
 */
export const EgressHost = t.String({
  maxLength: 253,
  pattern:
    '^(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$',
  description: 'registry.npmjs.org, or *.pythonhosted.org for its subdomains; HTTPS (443) only',
})
export const EgressSettings = t.Object(
  {
    workspaceId: WorkspaceId,
    /** Lower case, sorted; empty: the agent reaches nothing but the model (no egress proxy at all). */
    hosts: t.Array(EgressHost),
    updatedBy: t.Union([t.String(), t.Null()]),
    updatedAt: t.Union([Time, t.Null()]),
  },
  { title: 'EgressSettings' },
)
export type EgressSettings = Static<typeof EgressSettings>
export const EgressSettingsSet = t.Object({
  workspace: t.Optional(WorkspaceId),
  hosts: t.Array(EgressHost, { maxItems: EGRESS_MAX_HOSTS }),
})
