import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'
import { Direction, Page, PageQuery } from './pagination'
import { defineRpc } from './rpc'

export const WorkspaceId = t.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  description: 'Workspace slug, e.g. pydantic-ai',
})
export const GitHubLogin = t.String({
  pattern: '^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$',
  description: 'A GitHub login',
})
export const RepoFullName = t.String({
  pattern: '^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$',
  description: 'owner/name',
})
const Name = t.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1f/]+$' })
const Time = t.String({ format: 'date-time' })

export const AuthorStatus = t.Union([
  t.Literal('trusted'),
  t.Literal('good-enough'),
  t.Literal('suspected-slop'),
  t.Literal('unknown'),
])
export type AuthorStatus = Static<typeof AuthorStatus>

export const Workspace = t.Object(
  { id: WorkspaceId, name: t.String(), createdAt: Time, createdBy: t.String(), memberCount: t.Integer() },
  { title: 'Workspace' },
)
export type Workspace = Static<typeof Workspace>
export const WorkspaceCreate = t.Object({ id: WorkspaceId, name: t.String({ minLength: 1, maxLength: 100 }) })
export const WorkspacePage = Page(Workspace, 'WorkspacePage')
export const WorkspaceListQuery = t.Object({
  ...PageQuery,
  query: t.Optional(t.String({ maxLength: 100 })),
  sort: t.Optional(t.Union([t.Literal('id'), t.Literal('name'), t.Literal('created_at')])),
})

export const Member = t.Object(
  { login: GitHubLogin, addedBy: t.String(), addedAt: Time },
  { title: 'Member' },
)
export const MemberCreate = t.Object({ login: GitHubLogin })

export const AuthorRecord = t.Object(
  { login: GitHubLogin, status: AuthorStatus, note: t.String(), by: t.String(), at: Time },
  { title: 'AuthorRecord' },
)
export type AuthorRecord = Static<typeof AuthorRecord>
export const AuthorRecordSet = t.Object({
  login: GitHubLogin,
  status: AuthorStatus,
  note: t.Optional(t.String({ maxLength: 2000 })),
})

const CheckPattern = t.String({
  minLength: 1,
  maxLength: 200,
  description: 'Check-run name or status context; * matches any run of characters',
})
export const CheckPolicy = t.Object(
  {
    name: Name,
    requiredChecks: t.Array(CheckPattern),
    repos: t.Array(RepoFullName, { description: 'Repositories it applies to; empty means all' }),
    by: t.String(),
    at: Time,
  },
  { title: 'CheckPolicy' },
)
export type CheckPolicy = Static<typeof CheckPolicy>
export const CheckPolicyCreate = t.Object({
  name: Name,
  requiredChecks: t.Array(CheckPattern, { minItems: 1, maxItems: 50 }),
  repos: t.Optional(t.Array(RepoFullName, { maxItems: 200 })),
})

export const StarredComment = t.Object(
  {
    commentId: t.String(),
    url: t.String(),
    body: t.String(),
    author: t.String(),
    repo: t.Union([RepoFullName, t.Null()]),
    prNumber: t.Union([t.Integer(), t.Null()]),
    folder: t.Union([t.String(), t.Null()]),
    by: t.String(),
    at: Time,
  },
  { title: 'StarredComment' },
)
export const StarredCommentSet = t.Object({
  commentId: t.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_=-]+$' }),
  url: t.String({ format: 'uri', maxLength: 1000, pattern: '^https?://' }),
  body: t.Optional(t.String({ maxLength: 4000, description: 'Excerpt of the comment' })),
  author: t.Optional(t.String({ maxLength: 100 })),
  repo: t.Optional(RepoFullName),
  prNumber: t.Optional(t.Integer({ minimum: 1 })),
  folder: t.Optional(t.Union([Name, t.Null()])),
})
export const StarredFolder = t.Object(
  { name: Name, createdBy: t.String(), createdAt: Time },
  { title: 'StarredFolder' },
)
export const StarredFolderCreate = t.Object({ name: Name })
export const StarredFolderRename = t.Object({ name: Name })

export const Repository = t.Object(
  {
    fullName: RepoFullName,
    defaultBranch: t.String(),
    isDefaultForAgents: t.Boolean(),
    addedBy: t.String(),
    addedAt: Time,
  },
  { title: 'Repository' },
)
export type Repository = Static<typeof Repository>
export const RepositoryCreate = t.Object({
  fullName: RepoFullName,
  defaultBranch: t.Optional(t.String({ minLength: 1, maxLength: 250 })),
  isDefaultForAgents: t.Optional(t.Boolean()),
})
export const RepositoryPage = Page(Repository, 'RepositoryPage')
export const RepositoryListQuery = t.Object({
  ...PageQuery,
  is_default: t.Optional(t.Boolean()),
  query: t.Optional(t.String({ maxLength: 200 })),
  sort: t.Optional(t.Union([t.Literal('repository_name'), t.Literal('default_branch')])),
  direction: t.Optional(Direction),
})

export const Snapshot = t.Object(
  {
    workspace: Workspace,
    seq: t.Integer({ description: 'Sequence number of the last change included' }),
    members: t.Array(Member),
    authorRecords: t.Array(AuthorRecord),
    checkPolicies: t.Array(CheckPolicy),
    starredComments: t.Array(StarredComment),
    starredFolders: t.Array(StarredFolder),
    repositories: t.Array(Repository),
  },
  { title: 'WorkspaceSnapshot' },
)
export type Snapshot = Static<typeof Snapshot>

export const WorkspaceParams = t.Object({ id: WorkspaceId })
export const LoginParams = t.Object({ id: WorkspaceId, login: GitHubLogin })
export const NameParams = t.Object({ id: WorkspaceId, name: Name })
export const CommentParams = t.Object({ id: WorkspaceId, commentId: t.String({ maxLength: 100 }) })
export const RepoParams = t.Object({
  id: WorkspaceId,
  owner: t.String({ maxLength: 100 }),
  repo: t.String({ maxLength: 100 }),
})
export const RealtimeQuery = t.Object({ since: t.Optional(t.Integer({ minimum: 0 })) })

/** Events: one per kind of change, each with the workspace's sequence number. */
const change = <P extends Record<string, import('elysia').TSchema>>(props: P) =>
  t.Object({ workspaceId: WorkspaceId, seq: t.Integer(), by: t.String(), ...props })

export const workspaceCreated = defineEvent('workspace.created', change({ name: t.String() }))
export const memberAdded = defineEvent('workspace.member.added', change({ login: GitHubLogin }))
export const memberRemoved = defineEvent('workspace.member.removed', change({ login: GitHubLogin }))
export const authorRecordSet = defineEvent('workspace.author_record.set', change({ record: AuthorRecord }))
export const authorRecordRemoved = defineEvent(
  'workspace.author_record.removed',
  change({ login: GitHubLogin }),
)
export const checkPolicySet = defineEvent('workspace.check_policy.set', change({ policy: CheckPolicy }))
export const checkPolicyRemoved = defineEvent('workspace.check_policy.removed', change({ name: t.String() }))
export const starredCommentSet = defineEvent(
  'workspace.starred_comment.set',
  change({ comment: StarredComment }),
)
export const starredCommentRemoved = defineEvent(
  'workspace.starred_comment.removed',
  change({ commentId: t.String() }),
)
export const starredFolderCreated = defineEvent(
  'workspace.starred_folder.created',
  change({ folder: StarredFolder }),
)
export const starredFolderRenamed = defineEvent(
  'workspace.starred_folder.renamed',
  change({ from: t.String(), to: t.String() }),
)
export const starredFolderRemoved = defineEvent(
  'workspace.starred_folder.removed',
  change({ name: t.String() }),
)
export const repositorySet = defineEvent('workspace.repository.set', change({ repository: Repository }))
export const repositoryRemoved = defineEvent('workspace.repository.removed', change({ fullName: t.String() }))

/** What the realtime socket sends: a snapshot first (unless resuming), then every change in order. */
export const RealtimeMessage = t.Union([
  t.Object({ type: t.Literal('snapshot'), seq: t.Integer(), snapshot: Snapshot }),
  t.Object({
    type: t.Literal('event'),
    seq: t.Integer(),
    event: t.Object({ type: t.String(), time: Time, data: t.Unknown() }),
  }),
])
export type RealtimeMessage = Static<typeof RealtimeMessage>

/** Live fan-out between instances on `bosun.rt.workspace.<id>` (see `LiveChanges`); not stored, gaps are filled from the database. */
export const LiveChange = t.Object({
  workspaceId: WorkspaceId,
  seq: t.Integer(),
  type: t.String(),
  time: Time,
  data: t.Unknown(),
})
export type LiveChange = Static<typeof LiveChange>
/** One message on `bosun.rt.workspace.<id>`: that workspace's changes committed together, in order. */
export const LiveChanges = t.Array(LiveChange, { minItems: 1 })

/** Other services ask workspace whether a login belongs to a workspace (404 for foreign workspaces). */
export const membershipRpc = defineRpc(
  'workspace',
  'membership',
  t.Object({ workspaceId: WorkspaceId, login: t.String() }),
  t.Object({ member: t.Boolean(), exists: t.Boolean() }),
  'Is this login a member of this workspace?',
)
export type Membership = Static<typeof membershipRpc.response>

export const snapshotRpc = defineRpc(
  'workspace',
  'snapshot',
  t.Object({ workspaceId: WorkspaceId }),
  Snapshot,
  "A workspace's whole state (not_found when unknown); for services that project it",
)
