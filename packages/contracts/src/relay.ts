import { type Static, t } from 'elysia'
import { EGRESS_MAX_HOSTS, EgressHost } from './aica-admin'
import { Envelope } from './envelope'
import {
  HumanAsk,
  HumanReply,
  PermissionDecision,
  PermissionPolicy,
  Question,
  QuestionAnswers,
} from './permissions'
import { defineRpc } from './rpc'
import { RepoFullName, WorkspaceId } from './workspace'

/**
 * The relay protocol between aica and the runner, version 1.
 *
 * 1. aica publishes a `WorkEnvelope` on `<prefix>.work.aica.<priority>` (stream `BOSUN_WORK_AICA`,
 *    work-queue retention). A runner pulls from the durable consumer of each priority, high first
 *    (`aicaWorkConsumer(priority)`), acks explicitly, and sends `working()` while the run lasts.
 * 2. If `work.hasExtraEnv`, the runner asks `extraEnvRpc` exactly once; the answer is forgotten by aica.
 * 3. The runner opens `GET <aica>/<work.relayPath>` as a WebSocket with `Authorization: Bearer <relayToken>`
 *    (or `?token=`). Every frame is one JSON object of `RunnerMessage` (runner -> aica) or
 *    `AicaMessage` (aica -> runner), each carrying `v: 1`. Unknown `type`s are ignored by both sides.
 * 4. aica sends `welcome` once, as soon as the socket opens (`hello` gets no reply): each thread's
 *    status and the item `key`s it has stored, so a resumed runner sends nothing twice. Then it
 *    forwards prompts and stop. (v1 aica sends forks as work messages with `forkOf`, not `fork`.)
 */
export const RELAY_PROTOCOL_VERSION = 1 as const
const V = t.Literal(RELAY_PROTOCOL_VERSION)
const Time = t.String({ format: 'date-time' })

export const AICA_WORK_STREAM = 'BOSUN_WORK_AICA'
export const Priority = t.Union([t.Literal('high'), t.Literal('normal'), t.Literal('low')])
export type Priority = Static<typeof Priority>
/** Priorities in the order a runner should pull them. */
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low']
/** One durable pull consumer per priority (nats-server 2.9 has no multi-subject filters). */
export const aicaWorkConsumer = (priority: Priority) => `aica-runner-${priority}`
/** Runners must send `working()` more often than this. */
export const AICA_WORK_ACK_WAIT_MS = 30_000
/** Deliveries before JetStream gives up on a work message (a dead runner's work goes to another). */
export const AICA_WORK_MAX_DELIVER = 5

/** Relay tokens: `bosun_rly_` + 43 base64url chars; aica stores only their SHA-256. */
export const RELAY_TOKEN_PREFIX = 'bosun_rly_'
export const RelayToken = t.String({ pattern: '^bosun_rly_[A-Za-z0-9_-]{43}$' })
/** Largest git bundle a `backup` message may carry, before base64. */
export const RELAY_BACKUP_MAX_BYTES = 8 * 1024 * 1024
/** Largest relay frame aica accepts (a backup at the cap, base64, plus headroom). */
export const RELAY_MAX_FRAME_BYTES = 12 * 1024 * 1024

export const ThreadId = t.String({ pattern: '^thr_[A-Za-z0-9]{8,40}$', description: 'Thread id' })
export const WorktreeId = t.String({ pattern: '^wt_[A-Za-z0-9]{8,40}$', description: 'Worktree id' })

export const ThreadStatus = t.Union([
  t.Literal('queued'),
  t.Literal('starting'),
  t.Literal('running'),
  t.Literal('idle'),
  /** Waiting on a person: a permission request (`waiting_permission`) or a question (`waiting_answer`). */
  t.Literal('waiting_permission'),
  t.Literal('waiting_answer'),
  t.Literal('completed'),
  t.Literal('failed'),
  t.Literal('stopped'),
  t.Literal('archived'),
  /** A turn ended with changes: nothing more runs until a person approves, declines or requests changes. */
  t.Literal('awaiting_review'),
  /** Approved: the changes are being committed, pushed and opened as a pull request. */
  t.Literal('publishing'),
  t.Literal('published'),
  /** The push or the pull request was refused (see `error`); the backup is kept, approve again or request changes. */
  t.Literal('merge_failed'),
  t.Literal('declined'),
])
export type ThreadStatus = Static<typeof ThreadStatus>
/** Statuses in which a thread waits on a person's review decision or its publication; no runner holds it. */
export const REVIEW_STATUSES: readonly ThreadStatus[] = [
  'awaiting_review',
  'publishing',
  'published',
  'merge_failed',
  'declined',
]
/** Statuses a runner may report; `queued` and `archived` belong to aica. */
export const RunnerStatus = t.Union([
  t.Literal('starting'),
  t.Literal('running'),
  t.Literal('idle'),
  t.Literal('completed'),
  t.Literal('failed'),
  t.Literal('stopped'),
  t.Literal('awaiting_review'),
])
export type RunnerStatus = Static<typeof RunnerStatus>

export const ThreadError = t.Object({
  code: t.String({ maxLength: 100, description: 'e.g. runner_lost, extra_env_gone, opencode_exit' }),
  message: t.String({ maxLength: 4000 }),
  details: t.Optional(t.Unknown()),
})
export type ThreadError = Static<typeof ThreadError>

const Text = t.String({ maxLength: 1_000_000 })

/** The line counts shown on a thread: files changed, lines added and removed (against the worktree's base). */
export const ChangeCounts = t.Object(
  {
    files: t.Integer({ minimum: 0 }),
    additions: t.Integer({ minimum: 0 }),
    deletions: t.Integer({ minimum: 0 }),
  },
  { title: 'ChangeCounts' },
)
export type ChangeCounts = Static<typeof ChangeCounts>
/** The content of one thread item; `seq`, `id` and `at` are assigned by aica when it stores it. */
export const ItemBody = t.Union([
  t.Object({ kind: t.Literal('user_message'), text: Text, by: t.Optional(t.String()) }),
  t.Object({ kind: t.Literal('assistant_text'), text: Text }),
  t.Object({ kind: t.Literal('reasoning'), text: Text }),
  t.Object({
    kind: t.Literal('tool_call'),
    callId: t.String({ maxLength: 200 }),
    tool: t.String({ maxLength: 200 }),
    input: t.Unknown(),
  }),
  t.Object({
    kind: t.Literal('tool_result'),
    callId: t.String({ maxLength: 200 }),
    output: Text,
    isError: t.Optional(t.Boolean()),
  }),
  t.Object({
    kind: t.Literal('file_change'),
    path: t.String({ maxLength: 4096 }),
    change: t.Union([t.Literal('added'), t.Literal('modified'), t.Literal('deleted')]),
    diff: t.Optional(Text),
  }),
  t.Object({
    kind: t.Literal('draft_comment'),
    repo: RepoFullName,
    issueNumber: t.Integer({ minimum: 1 }),
    body: t.String({ minLength: 1, maxLength: 65_536 }),
  }),
  t.Object({
    kind: t.Literal('permission_request'),
    requestId: t.String({ maxLength: 200 }),
    tool: t.String({ maxLength: 200 }),
    description: t.String({ maxLength: 4000 }),
    patterns: t.Optional(t.Array(t.String({ maxLength: 4000 }), { maxItems: 50 })),
  }),
  /** How a permission request was settled; `by` is a login, `auto-approve` or `policy`. */
  t.Object({
    kind: t.Literal('permission_decision'),
    requestId: t.String({ maxLength: 200 }),
    decision: PermissionDecision,
    by: t.String({ maxLength: 200 }),
    message: t.Optional(t.String({ maxLength: 4000 })),
  }),
  t.Object({
    kind: t.Literal('question'),
    requestId: t.String({ maxLength: 200 }),
    questions: t.Array(Question, { maxItems: 20 }),
  }),
  /** The answers to a question item, or `rejected` when it was declined (unattended threads). */
  t.Object({
    kind: t.Literal('question_answer'),
    requestId: t.String({ maxLength: 200 }),
    answers: QuestionAnswers,
    by: t.String({ maxLength: 200 }),
    rejected: t.Optional(t.Boolean()),
  }),
  t.Object({
    kind: t.Literal('usage'),
    inputTokens: t.Integer({ minimum: 0 }),
    outputTokens: t.Integer({ minimum: 0 }),
    cacheReadTokens: t.Optional(t.Integer({ minimum: 0 })),
    cacheWriteTokens: t.Optional(t.Integer({ minimum: 0 })),
    costUsd: t.Optional(t.Number({ minimum: 0 })),
  }),
  t.Object({
    kind: t.Literal('sandbox'),
    backend: t.String({ maxLength: 50, description: 'bwrap, or none when unsandboxed' }),
    note: t.Optional(t.String({ maxLength: 2000 })),
  }),
  t.Object({ kind: t.Literal('status'), status: ThreadStatus, error: t.Optional(ThreadError) }),
  /** One step of publishing approved changes (written by aica, never by a runner). */
  t.Object({
    kind: t.Literal('publish'),
    step: t.Union([t.Literal('commit'), t.Literal('push'), t.Literal('pull_request')]),
    message: t.String({ maxLength: 4000 }),
    url: t.Optional(t.String({ maxLength: 2000 })),
  }),
  t.Object({
    kind: t.Literal('error'),
    code: t.String({ maxLength: 100 }),
    message: t.String({ maxLength: 4000 }),
  }),
])
export type ItemBody = Static<typeof ItemBody>
export type ItemKind = ItemBody['kind']

/** A stored item as both the relay and the realtime socket show it. */
export const Item = t.Object(
  {
    id: t.String(),
    threadId: ThreadId,
    seq: t.Integer({ minimum: 1, description: 'Per-thread sequence number, gapless from 1' }),
    at: Time,
    /** The runner's idempotency key, when the item came from the runner. */
    key: t.Optional(t.String()),
    body: ItemBody,
    /** A draft comment once applied: the comment it was posted as on GitHub. */
    appliedUrl: t.Optional(t.String()),
  },
  { title: 'ThreadItem' },
)
export type Item = Static<typeof Item>

/** The data of a work message: everything a runner needs to start a thread. */
export const AicaWork = t.Object(
  {
    threadId: ThreadId,
    worktreeId: WorktreeId,
    workspaceId: WorkspaceId,
    repo: RepoFullName,
    ref: t.String({ description: 'Branch, tag or sha to check out' }),
    prompt: t.String(),
    agent: t.String(),
    model: t.String(),
    provider: t.String(),
    priority: Priority,
    /** The bundle to materialize; fetch its items with `bundleRpc`. */
    bundleDigest: t.String(),
    /** Path of the relay socket on aica, e.g. `/api/agent-sessions/thr_x/relay`. */
    relayPath: t.String(),
    relayToken: RelayToken,
    relayTokenExpiresAt: Time,
    /** When true, ask `extraEnvRpc` once before starting. */
    hasExtraEnv: t.Boolean(),
    /** When true the provider key comes from the team's shared credentials (`extraEnvRpc` returns it). */
    usesSharedCreds: t.Boolean(),
    userId: t.String(),
    /** Restore the checkout from this worktree's latest backup (`backupRpc`) instead of cloning `ref`. */
    restoreFrom: t.Optional(WorktreeId),
    /** Start as a fork of another thread of the same worktree, up to and including item `atSeq`. */
    forkOf: t.Optional(t.Object({ threadId: ThreadId, atSeq: t.Integer({ minimum: 1 }) })),
    /** The thread's permission policy; absent on work from before it existed (everything allowed). */
    permissions: t.Optional(PermissionPolicy),
    /**
     * The workspace's egress allowlist (hosts, `*.suffix`; HTTPS only). The runner offers an egress proxy
     * for the hosts on both this list and its operator's; absent or empty: no proxy, no way out but the model.
     */
    egressAllow: t.Optional(t.Array(EgressHost, { maxItems: EGRESS_MAX_HOSTS })),
    dispatchedAt: Time,
  },
  { title: 'AicaWork' },
)
export type AicaWork = Static<typeof AicaWork>
export const WorkEnvelope = Envelope(AicaWork)
export type WorkEnvelope = Static<typeof WorkEnvelope>
export const AICA_WORK_TYPE = 'aica.work.v1'

/** Runner -> aica frames. */
export const RunnerMessage = t.Union([
  t.Object({
    v: V,
    type: t.Literal('hello'),
    runnerId: t.String({ maxLength: 200 }),
    /** The runner's id for this connection's run (for logs). */
    runId: t.Optional(t.String({ maxLength: 200 })),
  }),
  t.Object({
    v: V,
    type: t.Literal('item'),
    threadId: ThreadId,
    /** Idempotency key chosen by the runner (e.g. opencode part id); a repeated key is stored once. */
    key: t.String({ minLength: 1, maxLength: 200 }),
    body: ItemBody,
  }),
  /** A partial text for live display, never stored; the final text arrives later as an `item`. */
  t.Object({
    v: V,
    type: t.Literal('delta'),
    threadId: ThreadId,
    key: t.String({ minLength: 1, maxLength: 200 }),
    text: t.String({ maxLength: 100_000 }),
  }),
  t.Object({
    v: V,
    type: t.Literal('status'),
    threadId: ThreadId,
    status: RunnerStatus,
    error: t.Optional(ThreadError),
  }),
  t.Object({
    v: V,
    type: t.Literal('backup'),
    worktreeId: WorktreeId,
    /** Branch the bundle holds; uncommitted changes are committed onto it by the runner first. */
    ref: t.String({ maxLength: 250 }),
    headSha: t.String({ pattern: '^[0-9a-f]{40}$' }),
    /** The commit the worktree was checked out at: what its diff is against (the runner records it, not the checkout). */
    baseSha: t.Optional(t.String({ pattern: '^[0-9a-f]{40}$' })),
    /** `git bundle` bytes, base64; at most RELAY_BACKUP_MAX_BYTES before encoding. */
    bundle: t.String({ maxLength: Math.ceil(RELAY_BACKUP_MAX_BYTES / 3) * 4 }),
    sha256: t.String({ pattern: '^[0-9a-f]{64}$' }),
  }),
  t.Object({
    v: V,
    type: t.Literal('sandbox'),
    worktreeId: WorktreeId,
    backend: t.String({ maxLength: 50 }),
    note: t.Optional(t.String({ maxLength: 2000 })),
  }),
  /** The worktree's line counts against its base, after a turn or a file edit. */
  t.Object({ v: V, type: t.Literal('changes'), worktreeId: WorktreeId, counts: ChangeCounts }),
  /** The runner's opencode session for a thread, so aica can name it in `fork`. */
  t.Object({ v: V, type: t.Literal('session'), threadId: ThreadId, sessionId: t.String({ maxLength: 200 }) }),
  /** The agent asks a person (a permission under `ask`, or a question); aica keeps it until answered. */
  t.Object({
    v: V,
    type: t.Literal('ask'),
    threadId: ThreadId,
    requestId: t.String({ minLength: 1, maxLength: 200 }),
    ask: HumanAsk,
  }),
  /** The runner handed aica's `answer` to the agent; aica stops re-sending it. */
  t.Object({
    v: V,
    type: t.Literal('applied'),
    threadId: ThreadId,
    requestId: t.String({ minLength: 1, maxLength: 200 }),
  }),
  t.Object({ v: V, type: t.Literal('ping') }),
])
export type RunnerMessage = Static<typeof RunnerMessage>

/** aica -> runner frames. */
export const AicaMessage = t.Union([
  t.Object({
    v: V,
    type: t.Literal('welcome'),
    worktreeId: WorktreeId,
    threads: t.Array(
      t.Object({
        threadId: ThreadId,
        status: ThreadStatus,
        lastSeq: t.Integer({ minimum: 0 }),
        /** Item keys already stored, so a reconnecting runner does not resend them. */
        keys: t.Array(t.String()),
        /** Requests still waiting on a person, so a resumed runner knows them (answers follow as `answer`). */
        pending: t.Optional(t.Array(t.Object({ requestId: t.String(), ask: HumanAsk }))),
      }),
    ),
  }),
  /** Stored: the item's `seq`; sent for every `item` frame, repeated keys included. */
  t.Object({ v: V, type: t.Literal('ack'), threadId: ThreadId, key: t.String(), seq: t.Integer() }),
  t.Object({
    v: V,
    type: t.Literal('prompt'),
    threadId: ThreadId,
    promptId: t.String(),
    text: t.String(),
    by: t.String(),
  }),
  t.Object({ v: V, type: t.Literal('stop'), threadId: ThreadId, reason: t.String() }),
  /** A person (or the policy) answered an `ask`; re-sent until the runner says `applied`. */
  t.Object({ v: V, type: t.Literal('answer'), threadId: ThreadId, requestId: t.String(), reply: HumanReply }),
  /** Start `newThreadId` as a copy of `threadId`'s session up to and including item `atSeq`. */
  t.Object({
    v: V,
    type: t.Literal('fork'),
    threadId: ThreadId,
    newThreadId: ThreadId,
    atSeq: t.Integer({ minimum: 1 }),
    /** The runner's session id of `threadId`, when one was reported. */
    sessionId: t.Optional(t.String()),
  }),
  /** A fresh relay token before the current one expires; use it for the next connection. */
  t.Object({ v: V, type: t.Literal('token'), relayToken: RelayToken, expiresAt: Time }),
  /** A frame was refused; the socket stays open unless `fatal`. */
  t.Object({
    v: V,
    type: t.Literal('error'),
    code: t.String(),
    message: t.String(),
    fatal: t.Boolean(),
  }),
  t.Object({ v: V, type: t.Literal('pong') }),
])
export type AicaMessage = Static<typeof AicaMessage>

/** Runner -> aica over NATS (`<prefix>.svc.aica.extra-env`): answered once, then aica forgets the values. */
export const extraEnvRpc = defineRpc(
  'aica',
  'extra-env',
  t.Object({ threadId: ThreadId, relayToken: RelayToken }),
  t.Object({
    /** `gone`: aica restarted and lost it; the runner reports failure and aica tells the user to re-dispatch. */
    state: t.Union([t.Literal('ok'), t.Literal('none'), t.Literal('gone')]),
    env: t.Record(t.String(), t.String()),
    /** Shared provider credentials, for threads with `usesSharedCreds`. */
    provider: t.Optional(t.Object({ kind: t.String(), apiKey: t.String(), baseURL: t.Optional(t.String()) })),
  }),
  'Hands the runner the in-memory extraEnv of a thread, once',
  // Every runner shares one NATS user and so could read another runner's inbox: only the requester can open it.
  { sealed: true },
)

/** Runner -> aica: the bundle items of a digest, to materialize in the worktree. */
export const bundleRpc = defineRpc(
  'aica',
  'bundle',
  t.Object({ workspaceId: WorkspaceId, digest: t.String(), relayToken: RelayToken }),
  t.Object({
    digest: t.String(),
    items: t.Array(
      t.Object({
        kind: t.Union([t.Literal('files'), t.Literal('skills'), t.Literal('commands'), t.Literal('agents')]),
        name: t.String(),
        path: t.String({ description: 'Relative path in the agent tree; never absolute, never ..' }),
        content: t.String(),
      }),
    ),
  }),
  'The current AICA bundle of a workspace; its `digest` differs from the requested one when the bundle was edited since dispatch',
)

/**
 * Runner -> aica: the latest backup of a worktree, for `restoreFrom` (the token is the new worktree's,
 * whose `restoreFrom` names `worktreeId`) or for the worktree's own token.
 */
export const backupRpc = defineRpc(
  'aica',
  'backup',
  t.Object({ worktreeId: WorktreeId, relayToken: RelayToken }),
  t.Object({
    ref: t.String(),
    headSha: t.String(),
    /** The commit the worktree started at (absent for backups made before it was recorded). */
    baseSha: t.Optional(t.String({ pattern: '^[0-9a-f]{40}$' })),
    bundle: t.String(),
    sha256: t.String(),
    at: Time,
  }),
  "A worktree's latest git bundle, base64 (not_found when none)",
)
