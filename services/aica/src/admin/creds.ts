import type { ProviderKind, SharedCreds } from '@bosun/contracts/aica-admin'
import type { Principal } from '@bosun/contracts/principal'
import { notFound } from '@bosun/service-kit/errors'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'

/** AAD binds the ciphertext to its row: copied into another workspace's row, it fails to open. */
const aad = (workspaceId: string, kind: string) => `team-shared-creds:${workspaceId}:${kind}`

export async function getSharedCreds(deps: AicaDeps, workspaceId: string): Promise<SharedCreds> {
  const [row] = await deps.database.db
    .select()
    .from(schema.sharedCreds)
    .where(eq(schema.sharedCreds.workspaceId, workspaceId))
  if (!row)
    return {
      workspaceId,
      hasKey: false,
      kind: null,
      baseURL: null,
      model: null,
      updatedBy: null,
      updatedAt: null,
    }
  return {
    workspaceId,
    hasKey: true,
    kind: row.kind as ProviderKind,
    baseURL: row.baseUrl,
    model: row.model,
    updatedBy: row.updatedBy,
    updatedAt: new Date(row.updatedAt).toISOString(),
  }
}

export async function setSharedCreds(
  deps: AicaDeps,
  principal: Principal,
  workspaceId: string,
  body: { kind: ProviderKind; apiKey: string; baseURL?: string; model?: string },
) {
  const row = {
    workspaceId,
    kind: body.kind,
    baseUrl: body.baseURL ?? null,
    model: body.model ?? null,
    sealed: await deps.box.seal(body.apiKey, aad(workspaceId, body.kind)),
    updatedBy: principal.login,
    updatedAt: Date.now(),
  }
  await deps.database.write((tx) =>
    tx
      .insert(schema.sharedCreds)
      .values(row)
      .onConflictDoUpdate({ target: schema.sharedCreds.workspaceId, set: row }),
  )
  return getSharedCreds(deps, workspaceId)
}

export async function deleteSharedCreds(deps: AicaDeps, workspaceId: string) {
  const gone = await deps.database.write((tx) =>
    tx.delete(schema.sharedCreds).where(eq(schema.sharedCreds.workspaceId, workspaceId)).returning(),
  )
  if (gone.length === 0) throw notFound('Shared credentials')
}

/** Plaintext, for the runner of an auto-dispatched thread only (over NATS, authenticated by relay token). */
export async function sharedCredsForRunner(deps: AicaDeps, workspaceId: string) {
  const [row] = await deps.database.db
    .select()
    .from(schema.sharedCreds)
    .where(eq(schema.sharedCreds.workspaceId, workspaceId))
  if (!row) return undefined
  const apiKey = await deps.box.open(row.sealed, aad(row.workspaceId, row.kind))
  return { kind: row.kind, apiKey, ...(row.baseUrl ? { baseURL: row.baseUrl } : {}) }
}
