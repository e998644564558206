import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'
import { Page, PageQuery } from './pagination'
import { ThreadId, WorktreeId } from './relay'
import { defineRpc } from './rpc'
import { WorkspaceId } from './workspace'

const Time = t.String({ format: 'date-time' })

/** Largest Markdown of one version, in characters (an agent's answer past it fails the generation). */
export const ARTIFACT_MAX_CHARS = 100_000
/** How long a claim holds without being renewed (claiming again renews it). */
export const CLAIM_TTL_MS = 10 * 60_000
/** The bundle agent used for each kind when the workspace bundle has one by that name. */
export const ARTIFACT_AGENTS = { issue: 'issue-brief', pr: 'pr-decision-log' } as const

export const ArtifactKind = t.Union([t.Literal('issue'), t.Literal('pr')])
export type ArtifactKind = Static<typeof ArtifactKind>
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['issue', 'pr']

export const ArtifactStatus = t.Union(
  [t.Literal('empty'), t.Literal('generating'), t.Literal('ready'), t.Literal('failed'), t.Literal('stale')],
  {
    description:
      '`empty`: no version yet; `generating`: an agent is writing the next version; `ready`: the latest version is current; `failed`: the last generation failed (the latest version is kept); `stale`: the issue or PR changed since the latest version',
  },
)
export type ArtifactStatus = Static<typeof ArtifactStatus>

export const ArtifactId = t.String({ pattern: '^art_[A-Za-z0-9]{8,40}$', description: 'Artifact id' })
const RepoPart = t.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$' })
const IssueNumber = t.Integer({ minimum: 1, maximum: 2_147_483_647 })

export const ArtifactKey = t.Object({
  owner: t.String(),
  repo: t.String(),
  kind: ArtifactKind,
  number: t.Integer(),
})
export type ArtifactKey = Static<typeof ArtifactKey>

export const ArtifactAuthor = t.Object({
  kind: t.Union([t.Literal('person'), t.Literal('agent')]),
  /** The person's GitHub login, or the agent's name. */
  name: t.String(),
  /** The AICA thread that wrote it (agents only). */
  threadId: t.Union([ThreadId, t.Null()]),
  /** Who asked for the generation (agents only). */
  requestedBy: t.Union([t.String(), t.Null()]),
})
export type ArtifactAuthor = Static<typeof ArtifactAuthor>

export const ArtifactClaim = t.Object(
  { login: t.String(), claimedAt: Time, expiresAt: Time },
  { title: 'ArtifactClaim' },
)
export type ArtifactClaim = Static<typeof ArtifactClaim>

export const GenerationStatus = t.Union([t.Literal('running'), t.Literal('succeeded'), t.Literal('failed')])
export const Generation = t.Object(
  {
    id: t.String(),
    status: GenerationStatus,
    threadId: t.Union([ThreadId, t.Null()]),
    worktreeId: t.Union([WorktreeId, t.Null()]),
    agent: t.String(),
    requestedBy: t.String({ description: 'A login, or `auto` for an automatic regeneration' }),
    error: t.Union([t.String(), t.Null()]),
    startedAt: Time,
    endedAt: t.Union([Time, t.Null()]),
  },
  { title: 'ArtifactGeneration' },
)
export type Generation = Static<typeof Generation>

export const Artifact = t.Object(
  {
    id: ArtifactId,
    workspaceId: WorkspaceId,
    key: ArtifactKey,
    status: ArtifactStatus,
    /** Why the status is `failed` or `stale`. */
    statusReason: t.Union([t.String(), t.Null()]),
    /** 0 while there is no version. */
    latestVersion: t.Integer({ minimum: 0 }),
    content: t.Union([t.String(), t.Null()]),
    author: t.Union([ArtifactAuthor, t.Null()]),
    claim: t.Union([ArtifactClaim, t.Null()], {
      description: 'A live claim; expired claims are shown as null',
    }),
    generation: t.Union([Generation, t.Null()], { description: 'The running generation, else the last one' }),
    createdAt: Time,
    updatedAt: Time,
  },
  { title: 'Artifact' },
)
export type Artifact = Static<typeof Artifact>

export const ArtifactVersion = t.Object(
  {
    artifactId: ArtifactId,
    number: t.Integer({ minimum: 1 }),
    content: t.String(),
    author: ArtifactAuthor,
    createdAt: Time,
  },
  { title: 'ArtifactVersion' },
)
export type ArtifactVersion = Static<typeof ArtifactVersion>
/** A version in the history list: no content (fetch it with `versions/:n`). */
export const ArtifactVersionSummary = t.Object(
  {
    artifactId: ArtifactId,
    number: t.Integer({ minimum: 1 }),
    chars: t.Integer(),
    author: ArtifactAuthor,
    createdAt: Time,
  },
  { title: 'ArtifactVersionSummary' },
)
export const ArtifactVersionPage = Page(ArtifactVersionSummary, 'ArtifactVersionPage')

export const KeyParams = t.Object({ id: WorkspaceId, owner: RepoPart, repo: RepoPart, number: IssueNumber })
export const KindKeyParams = t.Object({
  id: WorkspaceId,
  kind: ArtifactKind,
  owner: RepoPart,
  repo: RepoPart,
  number: IssueNumber,
})
export const ArtifactParams = t.Object({ id: WorkspaceId, artifactId: ArtifactId })
export const VersionParams = t.Object({
  id: WorkspaceId,
  artifactId: ArtifactId,
  n: t.Integer({ minimum: 1 }),
})
export const VersionListQuery = t.Object({ cursor: PageQuery.cursor, page_size: PageQuery.page_size })
export const WorkspaceParams = t.Object({ id: WorkspaceId })

export const EditRequest = t.Object(
  {
    content: t.String({
      maxLength: ARTIFACT_MAX_CHARS,
      description: `Markdown, at most ${ARTIFACT_MAX_CHARS} characters`,
    }),
    baseVersion: t.Integer({
      minimum: 0,
      description: 'The latest version the edit was made on (0 when none)',
    }),
  },
  { title: 'ArtifactEdit' },
)
export type EditRequest = Static<typeof EditRequest>

export const ArtifactSettings = t.Object(
  {
    autoRegenerate: t.Boolean({
      description:
        'Regenerate an artifact once, as `aica:auto`, when a webhook makes it stale (off by default)',
    }),
  },
  { title: 'ArtifactSettings' },
)
export type ArtifactSettings = Static<typeof ArtifactSettings>

const changed = { workspaceId: WorkspaceId, artifactId: ArtifactId, key: ArtifactKey, status: ArtifactStatus }
/** `bosun.evt.artifacts.<...>`: every change of an artifact, after its commit. */
export const artifactEvents = {
  generationStarted: defineEvent(
    'artifacts.generation.started',
    t.Object({ ...changed, generationId: t.String(), threadId: ThreadId, by: t.String() }),
  ),
  generationFailed: defineEvent(
    'artifacts.generation.failed',
    t.Object({ ...changed, generationId: t.String(), reason: t.String() }),
  ),
  versionAdded: defineEvent(
    'artifacts.version.added',
    t.Object({ ...changed, version: t.Integer(), author: ArtifactAuthor }),
  ),
  claimed: defineEvent('artifacts.claimed', t.Object({ ...changed, login: t.String(), expiresAt: Time })),
  released: defineEvent('artifacts.released', t.Object({ ...changed, login: t.String(), by: t.String() })),
  stale: defineEvent('artifacts.stale', t.Object({ ...changed, reason: t.String() })),
  settingsSet: defineEvent(
    'artifacts.settings.set',
    t.Object({ workspaceId: WorkspaceId, settings: ArtifactSettings, by: t.String() }),
  ),
}

/**
 * Live, on `bosun.rt.artifacts.<workspaceId>` and the `…/artifacts/live` WebSocket: the artifact as it is after
 * a change. Each message carries the whole state, so a client that missed one is right again at the next; a
 * client that reconnects reads the artifacts it shows again.
 */
export const ArtifactLive = t.Object(
  { type: t.Literal('artifact'), change: t.String(), artifact: Artifact },
  { title: 'ArtifactLive' },
)
export type ArtifactLive = Static<typeof ArtifactLive>

/** Other services read an artifact by key (`bosun.svc.artifacts.get`), having authorized their caller themselves. */
export const artifactRpc = defineRpc(
  'artifacts',
  'get',
  t.Object({
    workspaceId: WorkspaceId,
    kind: ArtifactKind,
    owner: RepoPart,
    repo: RepoPart,
    number: IssueNumber,
  }),
  Artifact,
  'An issue brief or PR decision log by key (not_found when none exists)',
)
