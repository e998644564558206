import {
  type AutoTriggerConfig,
  type AutoTriggerFrom,
  DEFAULT_TRIGGER_FROM,
  DEFAULT_TRIGGER_LABEL,
} from '@bosun/contracts/aica-admin'
import type { Principal } from '@bosun/contracts/principal'
import { conflict, notFound } from '@bosun/service-kit/errors'
import { and, asc, eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'

export async function triggerConfig(deps: AicaDeps, workspaceId: string): Promise<AutoTriggerConfig> {
  const [settings] = await deps.database.db
    .select()
    .from(schema.workspaceSettings)
    .where(eq(schema.workspaceSettings.workspaceId, workspaceId))
  const repos = await deps.database.db
    .select()
    .from(schema.autoTriggerRepos)
    .where(eq(schema.autoTriggerRepos.workspaceId, workspaceId))
    .orderBy(asc(schema.autoTriggerRepos.repo))
  return {
    workspaceId,
    triggerLabel: settings?.triggerLabel ?? DEFAULT_TRIGGER_LABEL,
    repos: repos.map((r) => ({
      repo: r.repo,
      triggerFrom: r.triggerFrom as AutoTriggerFrom,
      addedBy: r.addedBy,
      addedAt: new Date(r.addedAt).toISOString(),
    })),
  }
}

export async function addTriggerRepo(
  deps: AicaDeps,
  principal: Principal,
  workspaceId: string,
  repo: string,
  triggerFrom: AutoTriggerFrom = DEFAULT_TRIGGER_FROM,
) {
  await deps.database.write(async (tx) => {
    const inserted = await tx
      .insert(schema.autoTriggerRepos)
      .values({
        workspaceId,
        repo: repo.toLowerCase(),
        triggerFrom,
        addedBy: principal.login,
        addedAt: Date.now(),
      })
      .onConflictDoNothing()
      .returning()
    if (inserted.length === 0) throw conflict(`${repo} is already on the allowlist`)
  })
  return triggerConfig(deps, workspaceId)
}

export async function removeTriggerRepo(deps: AicaDeps, workspaceId: string, repo: string) {
  const gone = await deps.database.write((tx) =>
    tx
      .delete(schema.autoTriggerRepos)
      .where(
        and(
          eq(schema.autoTriggerRepos.workspaceId, workspaceId),
          eq(schema.autoTriggerRepos.repo, repo.toLowerCase()),
        ),
      )
      .returning(),
  )
  if (gone.length === 0) throw notFound('Allowlisted repository')
}

export async function setTriggerFrom(
  deps: AicaDeps,
  workspaceId: string,
  repo: string,
  triggerFrom: AutoTriggerFrom,
) {
  const changed = await deps.database.write((tx) =>
    tx
      .update(schema.autoTriggerRepos)
      .set({ triggerFrom })
      .where(
        and(
          eq(schema.autoTriggerRepos.workspaceId, workspaceId),
          eq(schema.autoTriggerRepos.repo, repo.toLowerCase()),
        ),
      )
      .returning(),
  )
  if (changed.length === 0) throw notFound('Allowlisted repository')
  return triggerConfig(deps, workspaceId)
}

export async function setTriggerLabel(
  deps: AicaDeps,
  principal: Principal,
  workspaceId: string,
  label: string,
) {
  const row = { workspaceId, triggerLabel: label, updatedBy: principal.login, updatedAt: Date.now() }
  await deps.database.write((tx) =>
    tx
      .insert(schema.workspaceSettings)
      .values(row)
      .onConflictDoUpdate({ target: schema.workspaceSettings.workspaceId, set: row }),
  )
  return triggerConfig(deps, workspaceId)
}

/** Workspaces whose allowlist holds `repo`, with their trigger label (auto-dispatch reads this). */
export async function workspacesTriggeredBy(deps: AicaDeps, repo: string) {
  const rows = await deps.database.db
    .select({
      workspaceId: schema.autoTriggerRepos.workspaceId,
      label: schema.workspaceSettings.triggerLabel,
    })
    .from(schema.autoTriggerRepos)
    .leftJoin(
      schema.workspaceSettings,
      eq(schema.workspaceSettings.workspaceId, schema.autoTriggerRepos.workspaceId),
    )
    .where(eq(schema.autoTriggerRepos.repo, repo.toLowerCase()))
  return rows.map((r) => ({ workspaceId: r.workspaceId, label: r.label ?? DEFAULT_TRIGGER_LABEL }))
}
