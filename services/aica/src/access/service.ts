import type { Principal } from '@bosun/contracts/principal'
import { memberRemoved, membershipRpc, type Snapshot, snapshotRpc } from '@bosun/contracts/workspace'
import type { Bus } from '@bosun/service-kit/bus'
import { AppError, invalid, notFound } from '@bosun/service-kit/errors'

const MEMBERSHIP_TTL_MS = 5_000

export type Access = {
  /** True when the caller may act in the workspace (a member, or an admin of an existing workspace). */
  canUse(principal: Principal, workspaceId: string): Promise<boolean>
  /** The workspace a request acts in: the given one (404 unless usable), else the caller's only one. */
  resolve(principal: Principal, given: string | undefined, known: () => Promise<string[]>): Promise<string>
  snapshot(workspaceId: string): Promise<Snapshot>
}

/** Asks workspace over NATS, with a few seconds of cache; a removed member loses access at once. */
export function createAccess(bus: Bus): Access {
  const cache = new Map<string, { member: boolean; exists: boolean; until: number }>()
  const key = (ws: string, login: string) => `${ws}\n${login.toLowerCase()}`
  bus.onEvent(memberRemoved, ({ workspaceId, login }) => cache.delete(key(workspaceId, login)))

  const membership = async (workspaceId: string, login: string) => {
    const k = key(workspaceId, login)
    const hit = cache.get(k)
    if (hit && hit.until > Date.now()) return hit
    if (cache.size > 10_000) cache.clear()
    try {
      const answer = await bus.request(membershipRpc, { workspaceId, login })
      const entry = { ...answer, until: Date.now() + MEMBERSHIP_TTL_MS }
      cache.set(k, entry)
      return entry
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_request') return { member: false, exists: false }
      throw new AppError('unavailable', 'Cannot reach the workspace service')
    }
  }

  const canUse = async (principal: Principal, workspaceId: string) => {
    const m = await membership(workspaceId, principal.login)
    return m.exists && (m.member || principal.role === 'admin')
  }

  return {
    canUse,
    async resolve(principal, given, known) {
      if (given) {
        if (!(await canUse(principal, given))) throw notFound('Workspace')
        return given
      }
      const mine: string[] = []
      for (const id of await known()) if (await canUse(principal, id)) mine.push(id)
      if (mine.length === 1) return mine[0]!
      throw invalid(
        mine.length === 0
          ? 'You belong to no workspace; name one with `workspace`'
          : 'You belong to several workspaces; name one with `workspace`',
        { workspaces: mine },
      )
    },
    async snapshot(workspaceId) {
      try {
        return await bus.request(snapshotRpc, { workspaceId })
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw notFound('Workspace')
        throw new AppError('unavailable', 'Cannot reach the workspace service')
      }
    },
  }
}
