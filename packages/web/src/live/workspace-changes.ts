import type {
  AuthorRecord,
  CheckPolicy,
  Repository,
  Snapshot,
  StarredComment,
  StarredFolder,
} from '../data/workspace'

/** One change as the realtime socket sends it (`RealtimeMessage` of type `event`). */
export type Change = { type: string; time: string; data: unknown }

type Data = { seq: number | string; by: string } & Record<string, unknown>

const without = <T>(list: T[], drop: (item: T) => boolean) => list.filter((x) => !drop(x))
const upsert = <T>(list: T[], item: T, same: (a: T) => boolean) => [...without(list, same), item]

/**
 * The snapshot after one change; a change of a kind this app does not know leaves it as it was (the next
 * snapshot will carry it). Pure, so the socket's handling can be checked without a socket.
 */
export function applyChange(s: Snapshot, change: Change): Snapshot {
  const d = change.data as Data
  const next = { ...s, seq: Math.max(Number(s.seq), Number(d.seq)) }
  switch (change.type) {
    case 'workspace.member.added':
      return {
        ...next,
        members: upsert(s.members, { login: String(d.login), addedBy: d.by, addedAt: change.time }, (m) =>
          sameLogin(m.login, d.login),
        ),
        workspace: { ...s.workspace, memberCount: Number(s.workspace.memberCount) + 1 },
      }
    case 'workspace.member.removed':
      return {
        ...next,
        members: without(s.members, (m) => sameLogin(m.login, d.login)),
        workspace: { ...s.workspace, memberCount: Math.max(0, Number(s.workspace.memberCount) - 1) },
      }
    case 'workspace.author_record.set': {
      const record = d.record as AuthorRecord
      return {
        ...next,
        authorRecords: upsert(s.authorRecords, record, (r) => sameLogin(r.login, record.login)),
      }
    }
    case 'workspace.author_record.removed':
      return { ...next, authorRecords: without(s.authorRecords, (r) => sameLogin(r.login, d.login)) }
    case 'workspace.check_policy.set': {
      const policy = d.policy as CheckPolicy
      return { ...next, checkPolicies: upsert(s.checkPolicies, policy, (p) => p.name === policy.name) }
    }
    case 'workspace.check_policy.removed':
      return { ...next, checkPolicies: without(s.checkPolicies, (p) => p.name === d.name) }
    case 'workspace.starred_comment.set': {
      const comment = d.comment as StarredComment
      return {
        ...next,
        starredComments: upsert(s.starredComments, comment, (c) => c.commentId === comment.commentId),
      }
    }
    case 'workspace.starred_comment.removed':
      return { ...next, starredComments: without(s.starredComments, (c) => c.commentId === d.commentId) }
    case 'workspace.starred_folder.created': {
      const folder = d.folder as StarredFolder
      return { ...next, starredFolders: upsert(s.starredFolders, folder, (f) => f.name === folder.name) }
    }
    case 'workspace.starred_folder.renamed':
      return {
        ...next,
        starredFolders: s.starredFolders.map((f) => (f.name === d.from ? { ...f, name: String(d.to) } : f)),
        starredComments: s.starredComments.map((c) =>
          c.folder === d.from ? { ...c, folder: String(d.to) } : c,
        ),
      }
    case 'workspace.starred_folder.removed':
      return {
        ...next,
        starredFolders: without(s.starredFolders, (f) => f.name === d.name),
        starredComments: s.starredComments.map((c) => (c.folder === d.name ? { ...c, folder: null } : c)),
      }
    case 'workspace.repository.set': {
      const repo = d.repository as Repository
      const repositories = upsert(s.repositories, repo, (r) => r.fullName === repo.fullName)
      return {
        ...next,
        repositories: repo.isDefaultForAgents
          ? repositories.map((r) => (r.fullName === repo.fullName ? r : { ...r, isDefaultForAgents: false }))
          : repositories,
      }
    }
    case 'workspace.repository.removed':
      return { ...next, repositories: without(s.repositories, (r) => r.fullName === d.fullName) }
    default:
      return next
  }
}

const sameLogin = (a: string, b: unknown) => typeof b === 'string' && a.toLowerCase() === b.toLowerCase()
