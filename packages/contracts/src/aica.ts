import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'
import { Page, PageQuery } from './pagination'
import { HumanAsk, PermissionPolicy } from './permissions'
import { ChangeCounts, Item, Priority, ThreadError, ThreadId, ThreadStatus, WorktreeId } from './relay'
import { defineRpc } from './rpc'
import { UsageTotals } from './usage'
import { RepoFullName, WorkspaceId } from './workspace'

const Time = t.String({ format: 'date-time' })

export const Visibility = t.Union([t.Literal('personal'), t.Literal('team')])
export type Visibility = Static<typeof Visibility>

/** `NAME=value` pairs handed to the sandbox; names that would hijack it are refused with 400. */
export const ExtraEnv = t.Record(
  t.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' }),
  t.String({ maxLength: 16_384 }),
  {
    maxProperties: 64,
    // A Record's key pattern alone lets any other name through.
    additionalProperties: false,
    description: 'Never stored: held in memory until the runner fetches it once',
  },
)
export type ExtraEnv = Static<typeof ExtraEnv>
/** Between aica instances on `bosun.rt.aica.extra-env-take`: the holder of a thread's extraEnv hands it over. */
export const ExtraEnvTake = t.Object({ threadId: ThreadId })

const Ref = t.String({ minLength: 1, maxLength: 250, pattern: '^[A-Za-z0-9._/-]+$' })
/**
 * Which workspace a request acts in. Optional: when absent, the caller's only workspace is used
 * (400 when the caller belongs to several or none).
 */
const WorkspaceField = t.Optional(WorkspaceId)

/** The body of `POST /api/agent-sessions`. */
export const DispatchEnvelope = t.Object(
  {
    workspace: WorkspaceField,
    repo: t.Optional(RepoFullName),
    ref: t.Optional(Ref),
    prompt: t.String({ minLength: 1, maxLength: 100_000 }),
    agent: t.Optional(t.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' })),
    model: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
    provider: t.Optional(t.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' })),
    priority: t.Optional(Priority),
    visibility: t.Optional(Visibility),
    extraEnv: t.Optional(ExtraEnv),
    callbackUrl: t.Optional(t.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' })),
    /** This thread's permission policy; without it, the workspace's default (`/api/aica/permission-defaults`). */
    permissions: t.Optional(PermissionPolicy),
  },
  { title: 'DispatchEnvelope' },
)
export type DispatchEnvelope = Static<typeof DispatchEnvelope>

/** Attaching a thread to an existing worktree: the envelope minus what the worktree fixes. */
export const ThreadCreate = t.Object(
  {
    prompt: DispatchEnvelope.properties.prompt,
    agent: DispatchEnvelope.properties.agent,
    model: DispatchEnvelope.properties.model,
    provider: DispatchEnvelope.properties.provider,
    priority: DispatchEnvelope.properties.priority,
    extraEnv: DispatchEnvelope.properties.extraEnv,
    callbackUrl: DispatchEnvelope.properties.callbackUrl,
    permissions: DispatchEnvelope.properties.permissions,
  },
  { title: 'ThreadCreate' },
)
export type ThreadCreate = Static<typeof ThreadCreate>

export const WorktreeCreate = t.Object(
  {
    workspace: WorkspaceField,
    repo: t.Optional(RepoFullName),
    ref: t.Optional(Ref),
    visibility: t.Optional(Visibility),
  },
  { title: 'WorktreeCreate' },
)
export type WorktreeCreate = Static<typeof WorktreeCreate>

export const Worktree = t.Object(
  {
    id: WorktreeId,
    workspaceId: WorkspaceId,
    repo: RepoFullName,
    ref: t.String(),
    visibility: Visibility,
    creatorId: t.String(),
    creatorLogin: t.String(),
    archived: t.Boolean(),
    restoredFrom: t.Union([WorktreeId, t.Null()]),
    sandbox: t.Union([t.Object({ backend: t.String(), note: t.Union([t.String(), t.Null()]) }), t.Null()]),
    latestBackup: t.Union([
      t.Object({ ref: t.String(), headSha: t.String(), size: t.Integer(), at: Time }),
      t.Null(),
    ]),
    createdAt: Time,
    archivedAt: t.Union([Time, t.Null()]),
  },
  { title: 'Worktree' },
)
export type Worktree = Static<typeof Worktree>

/** When each status was last entered. */
export const StatusTimes = t.Partial(
  t.Object({
    queued: Time,
    starting: Time,
    running: Time,
    idle: Time,
    waiting_permission: Time,
    waiting_answer: Time,
    completed: Time,
    failed: Time,
    stopped: Time,
    archived: Time,
    awaiting_review: Time,
    publishing: Time,
    published: Time,
    merge_failed: Time,
    declined: Time,
  }),
)

export const CallbackState = t.Object({
  url: t.String(),
  state: t.Union([t.Literal('pending'), t.Literal('sent'), t.Literal('failed')]),
  at: t.Union([Time, t.Null()]),
  error: t.Union([t.String(), t.Null()]),
})

export const Thread = t.Object(
  {
    id: ThreadId,
    worktreeId: WorktreeId,
    workspaceId: WorkspaceId,
    repo: RepoFullName,
    ref: t.String(),
    userId: t.String({ description: '`aica:auto` for auto-dispatched threads' }),
    userLogin: t.String(),
    sourceIssue: t.Union([t.String(), t.Null()], {
      description: '`owner/repo#number` of the issue an auto-dispatched thread came from',
    }),
    visibility: Visibility,
    status: ThreadStatus,
    statusTimes: StatusTimes,
    error: t.Union([ThreadError, t.Null()]),
    prompt: t.String(),
    agent: t.String(),
    model: t.String(),
    provider: t.String(),
    priority: Priority,
    attempt: t.Integer({ description: '1 for the first run, +1 per retry' }),
    bundleDigest: t.String(),
    lastSeq: t.Integer(),
    forkOf: t.Union([t.Object({ threadId: ThreadId, atSeq: t.Integer() }), t.Null()]),
    callback: t.Union([CallbackState, t.Null()]),
    /** The worktree's files changed and lines +/- against its base; null until the runner first reports. */
    changes: t.Union([ChangeCounts, t.Null()]),
    /** This thread's model usage so far. */
    usage: UsageTotals,
    result: t.Union([t.Literal('no_changes'), t.Null()], {
      description: '`no_changes`: the thread completed without changing the worktree (no review gate)',
    }),
    pullRequest: t.Union([t.Object({ url: t.String(), number: t.Integer(), branch: t.String() }), t.Null()], {
      description: 'The pull request its approved changes were published to',
    }),
    permissions: PermissionPolicy,
    /** When on, permission requests under `ask` are granted once without a person (never `deny`). */
    autoApprove: t.Boolean(),
    createdAt: Time,
    updatedAt: Time,
  },
  { title: 'Thread' },
)
export type Thread = Static<typeof Thread>

export const ThreadSnapshot = t.Object(
  { thread: Thread, worktree: Worktree, items: t.Array(Item), hasMoreItems: t.Boolean() },
  { title: 'ThreadSnapshot' },
)
export const WorktreeSnapshot = t.Object(
  { worktree: Worktree, threads: t.Array(Thread) },
  { title: 'WorktreeSnapshot' },
)

/** `POST /api/agent-sessions` and friends answer with the thread and its worktree. */
export const DispatchResult = t.Object({ thread: Thread, worktree: Worktree }, { title: 'DispatchResult' })

const Who = t.Optional(
  t.Union([t.Literal('me'), t.Literal('all'), t.Literal('')], {
    description: '`me`: only mine; `all` (default): everything visible to me',
  }),
)
export const ThreadListQuery = t.Object({
  ...PageQuery,
  workspace: t.Optional(WorkspaceId),
  userId: Who,
  worktreeId: t.Optional(WorktreeId),
  repo: t.Optional(RepoFullName),
  status: t.Optional(ThreadStatus),
})
export const ThreadPage = Page(Thread, 'ThreadPage')
export const WorktreeListQuery = t.Object({
  ...PageQuery,
  workspace: t.Optional(WorkspaceId),
  creatorId: Who,
  archived: t.Optional(t.Boolean()),
})
export const WorktreePage = Page(Worktree, 'WorktreePage')

export const ThreadParams = t.Object({ id: ThreadId })
export const HumanRequestParams = t.Object({
  id: ThreadId,
  requestId: t.String({ minLength: 1, maxLength: 200 }),
})
/** A request of the agent to a person, as the ledger keeps it. */
export const HumanRequest = t.Object(
  {
    threadId: ThreadId,
    requestId: t.String(),
    ask: HumanAsk,
    state: t.Union([t.Literal('pending'), t.Literal('settled'), t.Literal('cancelled')]),
    createdAt: Time,
  },
  { title: 'HumanRequest' },
)
export type HumanRequest = Static<typeof HumanRequest>
export const HumanRequestList = t.Object({ results: t.Array(HumanRequest) }, { title: 'HumanRequestList' })
export const WorktreeParams = t.Object({ wtId: WorktreeId })
export const ItemParams = t.Object({ id: ThreadId, itemId: t.String({ maxLength: 100 }) })
export const SnapshotQuery = t.Object({
  since: t.Optional(t.Integer({ minimum: 0, description: 'Only items after this seq' })),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000 })),
})

export const ForkRequest = t.Object(
  {
    itemId: t.String({ minLength: 1, maxLength: 100, description: 'Fork after this item (included)' }),
    prompt: t.Optional(t.String({ minLength: 1, maxLength: 100_000 })),
    extraEnv: t.Optional(ExtraEnv),
  },
  { title: 'ForkRequest' },
)
export const CloneRequest = t.Object(
  {
    prompt: t.String({ minLength: 1, maxLength: 100_000 }),
    visibility: t.Optional(Visibility),
    agent: DispatchEnvelope.properties.agent,
    model: DispatchEnvelope.properties.model,
    provider: DispatchEnvelope.properties.provider,
    extraEnv: t.Optional(ExtraEnv),
  },
  { title: 'CloneRequest' },
)
export const VisibilitySet = t.Object({ visibility: Visibility }, { title: 'VisibilitySet' })
export const PromptRequest = t.Object(
  { text: t.String({ minLength: 1, maxLength: 100_000 }) },
  { title: 'PromptRequest' },
)
/** `POST /api/agent-sessions/:id/review`: approve (publish a pull request) or decline a thread awaiting review. */
export const ReviewRequest = t.Object(
  {
    approved: t.Boolean(),
    comment: t.Optional(
      t.String({ maxLength: 65_536, description: 'Recorded on the thread as your message' }),
    ),
    draft: t.Optional(t.Boolean({ description: 'Open the pull request as a draft' })),
    reviewedHeadSha: t.Optional(
      t.String({
        pattern: '^[0-9a-f]{40}$',
        description:
          "The worktree's `latestBackup.headSha` you reviewed: an approval is refused (409) when the worktree moved on since",
      }),
    ),
  },
  { title: 'ReviewRequest' },
)
export type ReviewRequest = Static<typeof ReviewRequest>
/** `POST /api/agent-sessions/:id/request-changes`: the comment becomes the next turn on the same worktree. */
export const RequestChangesRequest = t.Object(
  { comment: t.String({ minLength: 1, maxLength: 100_000 }) },
  { title: 'RequestChangesRequest' },
)
export const RetryRequest = t.Object(
  { extraEnv: t.Optional(ExtraEnv) },
  { title: 'RetryRequest', description: 'extraEnv is not kept between runs; give it again if needed' },
)
export const AppliedDraft = t.Object(
  { itemId: t.String(), commentUrl: t.String(), commentId: t.Integer(), alreadyApplied: t.Boolean() },
  { title: 'AppliedDraft' },
)

export const RealtimeQuery = t.Object({
  since: t.Optional(
    t.Integer({ minimum: 0, description: 'Last seq the client holds; items after it follow' }),
  ),
  role: t.Optional(t.Union([t.Literal('viewer'), t.Literal('member')])),
})

/** Realtime socket, server -> client. */
export const ThreadRealtimeMessage = t.Union([
  /** First frame: the thread as it is now. */
  t.Object({ type: t.Literal('thread'), thread: Thread }),
  /** Every stored item in seq order, gapless, each once. */
  t.Object({ type: t.Literal('item'), item: Item }),
  /** Live text while the agent types; never stored, may be missed. */
  t.Object({ type: t.Literal('delta'), key: t.String(), text: t.String() }),
  t.Object({ type: t.Literal('error'), error: t.String(), message: t.String() }),
])
export type ThreadRealtimeMessage = Static<typeof ThreadRealtimeMessage>
/** `GET /api/aica/threads/realtime?workspace=` (WebSocket): the workspace's thread statuses as they change. */
export const ThreadsRealtimeQuery = t.Object({ workspace: WorkspaceId })
/**
 * `status`: one per status change of a thread the socket's owner may see; `summary`: its line counts or
 * usage changed. Nothing is replayed on reconnect.
 */
export const ThreadsRealtimeMessage = t.Union(
  [
    t.Object({
      type: t.Literal('status'),
      threadId: ThreadId,
      worktreeId: WorktreeId,
      status: ThreadStatus,
    }),
    t.Object({
      type: t.Literal('summary'),
      threadId: ThreadId,
      worktreeId: WorktreeId,
      changes: t.Union([ChangeCounts, t.Null()]),
      usage: UsageTotals,
    }),
  ],
  { title: 'ThreadsRealtimeMessage' },
)
export type ThreadsRealtimeMessage = Static<typeof ThreadsRealtimeMessage>
/** Realtime socket, client -> server (refused on `?role=viewer` sockets and for non-owners). */
export const ThreadClientMessage = t.Union([
  t.Object({ type: t.Literal('prompt'), text: t.String({ minLength: 1, maxLength: 100_000 }) }),
  t.Object({ type: t.Literal('stop') }),
])
export type ThreadClientMessage = Static<typeof ThreadClientMessage>

/** Live fan-out between aica instances on `<prefix>.rt.aica.thread.<threadId>`. */
export const LiveThreadEvent = t.Union([
  t.Object({ type: t.Literal('item'), threadId: ThreadId, seq: t.Integer() }),
  /** The thread's summary (line counts, usage) changed: sockets send the thread again. */
  t.Object({ type: t.Literal('thread'), threadId: ThreadId }),
  t.Object({ type: t.Literal('delta'), threadId: ThreadId, key: t.String(), text: t.String() }),
])
export type LiveThreadEvent = Static<typeof LiveThreadEvent>

/** Live fan-out between aica instances on `<prefix>.rt.aica.feed.<workspaceId>`: a thread's summary changed. */
export const LiveFeedEvent = t.Object({
  threadId: ThreadId,
  worktreeId: WorktreeId,
  workspaceId: WorkspaceId,
})
export type LiveFeedEvent = Static<typeof LiveFeedEvent>

/** A final answer longer than this is cut in the status event (its items keep the whole text). */
export const THREAD_ANSWER_MAX_CHARS = 200_000

/**
 * What auto-dispatch made of a GitHub delivery for one workspace, on `bosun.evt.aica.auto.outcome`: the thread
 * it started, or why it started none. The webhooks service keeps these with the delivery.
 */
export const autoDispatchOutcome = defineEvent(
  'aica.auto.outcome',
  t.Object({
    deliveryId: t.String(),
    workspaceId: t.Union([WorkspaceId, t.Null()]),
    threadId: t.Union([ThreadId, t.Null()]),
    reason: t.String({ description: 'started, or why nothing was started' }),
  }),
)
export type AutoDispatchOutcome = Static<typeof autoDispatchOutcome.data>

/** Every status move of a thread, on `bosun.evt.aica.thread.status` (after its commit). */
export const threadStatusChanged = defineEvent(
  'aica.thread.status',
  t.Object({
    threadId: ThreadId,
    worktreeId: WorktreeId,
    workspaceId: WorkspaceId,
    userId: t.String(),
    status: ThreadStatus,
    attempt: t.Integer(),
    error: t.Optional(ThreadError),
    seq: t.Integer({ description: 'Seq of the status item' }),
    /** On `idle` and `completed`: the agent's final answer (its last run of text after the last prompt). */
    answer: t.Optional(t.String({ maxLength: THREAD_ANSWER_MAX_CHARS })),
  }),
)
export type ThreadStatusChanged = Static<typeof threadStatusChanged.data>

/**
 * Other services dispatch on a user's behalf over NATS (`bosun.svc.aica.dispatch`), having authorized
 * that user themselves; the thread runs on the workspace's shared credentials. No extraEnv here.
 */
export const dispatchRpc = defineRpc(
  'aica',
  'dispatch',
  t.Object({
    workspaceId: WorkspaceId,
    userId: t.String({ minLength: 1 }),
    login: t.String({ minLength: 1 }),
    prompt: DispatchEnvelope.properties.prompt,
    repo: t.Optional(RepoFullName),
    ref: t.Optional(Ref),
    agent: DispatchEnvelope.properties.agent,
    model: DispatchEnvelope.properties.model,
    provider: DispatchEnvelope.properties.provider,
    priority: t.Optional(Priority),
    visibility: t.Optional(Visibility),
    /** The thread runs as `aica:auto` (a team thread) on the user's request, instead of as the user. */
    asAuto: t.Optional(t.Boolean()),
  }),
  t.Object({ threadId: ThreadId, worktreeId: WorktreeId }),
  'Dispatch a worktree and thread for a user another service has authorized',
)

/** The agent names in a workspace's bundle, for services that pick an agent when the team defined one. */
export const bundleAgentsRpc = defineRpc(
  'aica',
  'bundle-agents',
  t.Object({ workspaceId: WorkspaceId }),
  t.Object({ names: t.Array(t.String()) }),
  "The names of the agents in a workspace's AICA bundle",
)
