import type { EgressSettings } from '@bosun/contracts/aica-admin'
import type { Principal } from '@bosun/contracts/principal'
import type { Tx } from '@bosun/service-kit/db'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'

/** Lower case, without duplicates, sorted: the one form stored and handed to runners. */
export const normalizeHosts = (hosts: readonly string[]) =>
  [...new Set(hosts.map((h) => h.toLowerCase()))].sort()

export async function egressSettings(deps: AicaDeps, workspaceId: string): Promise<EgressSettings> {
  const [row] = await deps.database.db
    .select()
    .from(schema.egressSettings)
    .where(eq(schema.egressSettings.workspaceId, workspaceId))
  return {
    workspaceId,
    hosts: row?.hosts ?? [],
    updatedBy: row?.updatedBy ?? null,
    updatedAt: row ? new Date(row.updatedAt).toISOString() : null,
  }
}

export async function setEgressHosts(
  deps: AicaDeps,
  principal: Principal,
  workspaceId: string,
  hosts: readonly string[],
) {
  const row = { workspaceId, hosts: normalizeHosts(hosts), updatedBy: principal.login, updatedAt: Date.now() }
  await deps.database.write((tx) =>
    tx
      .insert(schema.egressSettings)
      .values(row)
      .onConflictDoUpdate({ target: schema.egressSettings.workspaceId, set: row }),
  )
  return egressSettings(deps, workspaceId)
}

/** The hosts a work message carries, read in the transaction that hands the work out. */
export async function egressHostsIn(tx: Tx<typeof schema>, workspaceId: string) {
  const [row] = await tx
    .select({ hosts: schema.egressSettings.hosts })
    .from(schema.egressSettings)
    .where(eq(schema.egressSettings.workspaceId, workspaceId))
  return row?.hosts ?? []
}
