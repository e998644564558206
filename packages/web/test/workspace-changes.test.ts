import { describe, expect, test } from 'bun:test'
import type { Snapshot } from '../src/data/workspace'
import { applyChange } from '../src/live/workspace-changes'

const at = '2026-01-01T00:00:00.000Z'
const base = (): Snapshot => ({
  workspace: { id: 'w', name: 'W', createdAt: at, createdBy: 'a', memberCount: 1 },
  seq: 4,
  members: [{ login: 'alice', addedBy: 'a', addedAt: at }],
  authorRecords: [],
  checkPolicies: [],
  starredComments: [
    {
      commentId: '1',
      url: 'https://github.com/o/r/pull/1#discussion_r1',
      body: '',
      author: '',
      repo: 'o/r',
      prNumber: 1,
      folder: 'nits',
      by: 'a',
      at,
    },
  ],
  starredFolders: [{ name: 'nits', createdBy: 'a', createdAt: at }],
  repositories: [
    { fullName: 'o/r', defaultBranch: 'main', isDefaultForAgents: true, addedBy: 'a', addedAt: at },
  ],
})
const change = (type: string, seq: number, data: Record<string, unknown>) => ({
  type,
  time: at,
  data: { workspaceId: 'w', seq, by: 'bob', ...data },
})

describe('applyChange: the snapshot after a realtime event', () => {
  test('members come and go (case-insensitively), with who and when, and the count follows', () => {
    const added = applyChange(base(), change('workspace.member.added', 5, { login: 'Carol' }))
    expect(added.members.map((m) => m.login)).toEqual(['alice', 'Carol'])
    expect(added.members[1]).toEqual({ login: 'Carol', addedBy: 'bob', addedAt: at })
    expect(added.workspace.memberCount).toBe(2)
    expect(added.seq).toBe(5)
    const removed = applyChange(added, change('workspace.member.removed', 6, { login: 'carol' }))
    expect(removed.members.map((m) => m.login)).toEqual(['alice'])
    expect(removed.workspace.memberCount).toBe(1)
  })

  test('a folder renamed or removed carries its comments along or out', () => {
    const renamed = applyChange(
      base(),
      change('workspace.starred_folder.renamed', 5, { from: 'nits', to: 'naming' }),
    )
    expect(renamed.starredFolders[0]!.name).toBe('naming')
    expect(renamed.starredComments[0]!.folder).toBe('naming')
    const removed = applyChange(renamed, change('workspace.starred_folder.removed', 6, { name: 'naming' }))
    expect(removed.starredFolders).toEqual([])
    expect(removed.starredComments[0]!.folder).toBeNull()
  })

  test('a new default repository for agents unsets the old one; records and policies are upserted', () => {
    const repo = {
      fullName: 'o/s',
      defaultBranch: 'main',
      isDefaultForAgents: true,
      addedBy: 'b',
      addedAt: at,
    }
    const next = applyChange(base(), change('workspace.repository.set', 5, { repository: repo }))
    expect(next.repositories.map((r) => [r.fullName, r.isDefaultForAgents])).toEqual([
      ['o/r', false],
      ['o/s', true],
    ])
    const record = { login: 'x', status: 'trusted' as const, note: '', by: 'b', at }
    const twice = [1, 2].reduce(
      (s, i) =>
        applyChange(
          s,
          change('workspace.author_record.set', 5 + i, { record: { ...record, note: `v${i}` } }),
        ),
      base(),
    )
    expect(twice.authorRecords).toEqual([{ ...record, note: 'v2' }])
  })

  test('an unknown kind of change leaves the state and moves the sequence on', () => {
    const next = applyChange(base(), change('workspace.something.new', 9, {}))
    expect({ ...next, seq: 4 } as Snapshot).toEqual(base())
    expect(next.seq).toBe(9)
  })
})
