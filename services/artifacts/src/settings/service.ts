import { type ArtifactSettings, artifactEvents } from '@bosun/contracts/artifacts'
import type { Principal } from '@bosun/contracts/principal'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { ArtifactsDeps } from '../deps'

export async function readSettings(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
): Promise<ArtifactSettings> {
  await deps.workspaces.forCaller(principal, workspaceId)
  const [row] = await deps.database.db
    .select()
    .from(schema.settings)
    .where(eq(schema.settings.workspaceId, workspaceId))
  return { autoRegenerate: row?.autoRegenerate ?? false }
}

export async function writeSettings(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  body: ArtifactSettings,
): Promise<ArtifactSettings> {
  await deps.workspaces.forCaller(principal, workspaceId)
  await deps.database.write(async (tx) => {
    const values = { autoRegenerate: body.autoRegenerate, updatedBy: principal.login, updatedAt: Date.now() }
    await tx
      .insert(schema.settings)
      .values({ workspaceId, ...values })
      .onConflictDoUpdate({ target: schema.settings.workspaceId, set: values })
    await enqueueEvent(tx, deps.bus, artifactEvents.settingsSet, {
      workspaceId,
      settings: body,
      by: principal.login,
    })
  })
  return body
}
