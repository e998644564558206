import type { DashboardAuthor } from '@bosun/contracts/dashboard'
import type { AuthorRecord, CheckPolicy } from '@bosun/contracts/workspace'
import type { UserRow } from '../github/rows'

/** What the workspace contributes to every row: policies, members and author records. */
export type Context = {
  policies: readonly CheckPolicy[]
  members: ReadonlySet<string>
  authors: ReadonlyMap<string, AuthorRecord>
  now: number
  staleMs: number
}

export function toAuthor(user: UserRow | null, ctx: Context): DashboardAuthor {
  const login = user?.login ?? 'ghost'
  const key = login.toLowerCase()
  return {
    login,
    avatarUrl: user?.avatar_url ?? null,
    isBot: user?.type === 'Bot',
    member: ctx.members.has(key),
    record: ctx.authors.get(key) ?? null,
  }
}
