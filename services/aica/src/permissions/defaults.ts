import {
  DEFAULT_PERMISSION_POLICY,
  type PermissionDefaults,
  type PermissionPolicy,
  unattended,
} from '@bosun/contracts/permissions'
import type { Principal } from '@bosun/contracts/principal'
import type { Tx } from '@bosun/service-kit/db'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { AUTO_USER } from '../threads/access'

type Reader = Pick<Tx<typeof schema>, 'select'>

async function stored(db: Reader, workspaceId: string) {
  const [row] = await db
    .select()
    .from(schema.permissionDefaults)
    .where(eq(schema.permissionDefaults.workspaceId, workspaceId))
  return row
}

export async function permissionDefaults(deps: AicaDeps, workspaceId: string): Promise<PermissionDefaults> {
  const row = await stored(deps.database.db, workspaceId)
  return {
    workspaceId,
    people: row ? (JSON.parse(row.people) as PermissionPolicy) : DEFAULT_PERMISSION_POLICY,
    auto: row ? (JSON.parse(row.auto) as PermissionPolicy) : unattended(DEFAULT_PERMISSION_POLICY),
  }
}

export async function setPermissionDefaults(
  deps: AicaDeps,
  principal: Principal,
  workspaceId: string,
  change: { people?: PermissionPolicy; auto?: PermissionPolicy },
) {
  const current = await permissionDefaults(deps, workspaceId)
  const row = {
    workspaceId,
    people: JSON.stringify(change.people ?? current.people),
    auto: JSON.stringify(change.auto ?? current.auto),
    updatedBy: principal.login,
    updatedAt: Date.now(),
  }
  await deps.database.write((tx) =>
    tx
      .insert(schema.permissionDefaults)
      .values(row)
      .onConflictDoUpdate({ target: schema.permissionDefaults.workspaceId, set: row }),
  )
  return permissionDefaults(deps, workspaceId)
}

/**
 * The policy a new thread runs under, read in its insert's transaction: the one given at dispatch, else the
 * workspace's default; an `aica:auto` thread's is always made unattended (no `ask`, questions declined).
 */
export async function threadPolicy(
  tx: Reader,
  workspaceId: string,
  userId: string,
  given?: PermissionPolicy,
): Promise<PermissionPolicy> {
  const auto = userId === AUTO_USER
  if (given) return auto ? unattended(given) : given
  const row = await stored(tx, workspaceId)
  if (auto) return unattended(row ? (JSON.parse(row.auto) as PermissionPolicy) : DEFAULT_PERMISSION_POLICY)
  return row ? (JSON.parse(row.people) as PermissionPolicy) : DEFAULT_PERMISSION_POLICY
}
