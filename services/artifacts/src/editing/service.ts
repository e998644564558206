import { artifactEvents, CLAIM_TTL_MS, type EditRequest } from '@bosun/contracts/artifacts'
import type { Principal } from '@bosun/contracts/principal'
import { AppError, forbidden, found } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { resolveKey, toVersion, visibleArtifact } from '../artifacts/service'
import {
  type ArtifactRow,
  addVersion,
  announce,
  findById,
  getOrCreate,
  type Key,
  liveClaim,
  update,
  view,
} from '../artifacts/store'
import * as schema from '../db/schema'
import type { ArtifactsDeps } from '../deps'

const heldByOther = (row: ArtifactRow, login: string) => {
  const claim = liveClaim(row)
  return claim && claim.login.toLowerCase() !== login.toLowerCase() ? claim : null
}

const claimConflict = (claim: { login: string; expiresAt: string }) =>
  new AppError('conflict', `Being edited by ${claim.login} until ${claim.expiresAt}`, { claim })

/** Takes (or renews) the claim for editing; creates the artifact when there is none yet. */
export async function claim(deps: ArtifactsDeps, principal: Principal, workspaceId: string, given: Key) {
  const { key } = await resolveKey(deps, principal, workspaceId, given)
  const row = await deps.database.write(async (tx) => {
    const row = await getOrCreate(tx, workspaceId, key)
    const other = heldByOther(row, principal.login)
    if (other) throw claimConflict(other)
    const now = Date.now()
    const renewing = liveClaim(row, now) !== null
    const next = await update(tx, row.id, {
      claimLogin: principal.login,
      claimedAt: renewing ? row.claimedAt : now,
      claimExpiresAt: now + CLAIM_TTL_MS,
    })
    await announce(tx, deps.bus, artifactEvents.claimed, next, {
      login: principal.login,
      expiresAt: new Date(now + CLAIM_TTL_MS).toISOString(),
    })
    return next
  })
  return view(deps.database.db, row)
}

/** Frees the claim: its holder or an admin. Without a live claim there is nothing to do. */
export async function release(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  artifactId: string,
) {
  await visibleArtifact(deps, principal, workspaceId, artifactId)
  const row = await deps.database.write(async (tx) => {
    const row = found(await findById(tx, workspaceId, artifactId), 'Artifact')
    const held = liveClaim(row)
    if (!held) return row
    if (held.login.toLowerCase() !== principal.login.toLowerCase() && principal.role !== 'admin')
      throw forbidden(`Only ${held.login} or an admin can release this claim`)
    const next = await update(tx, row.id, { claimLogin: null, claimedAt: null, claimExpiresAt: null })
    await announce(tx, deps.bus, artifactEvents.released, next, { login: held.login, by: principal.login })
    return next
  })
  return view(deps.database.db, row)
}

/**
 * A new version by a person. Nobody else may hold a live claim, and the edit must be made on the latest
 * version: otherwise 409 with what is there now, so the editor merges instead of overwriting.
 */
export async function edit(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  artifactId: string,
  body: EditRequest,
) {
  await visibleArtifact(deps, principal, workspaceId, artifactId)
  const row = await deps.database.write(async (tx) => {
    const row = found(await findById(tx, workspaceId, artifactId), 'Artifact')
    const other = heldByOther(row, principal.login)
    if (other) throw claimConflict(other)
    if (body.baseVersion !== row.latestVersion) {
      const [latest] = await tx
        .select()
        .from(schema.versions)
        .where(and(eq(schema.versions.artifactId, row.id), eq(schema.versions.number, row.latestVersion)))
      throw new AppError(
        'conflict',
        `The artifact changed: version ${row.latestVersion} is the latest, the edit was made on ${body.baseVersion}`,
        { latestVersion: row.latestVersion, latest: latest ? toVersion(latest) : null },
      )
    }
    const author = { kind: 'person' as const, name: principal.login, threadId: null, requestedBy: null }
    const next = await addVersion(tx, row, body.content, author, {
      status: row.status === 'generating' ? 'generating' : 'ready',
      statusReason: row.status === 'generating' ? row.statusReason : null,
    })
    await announce(tx, deps.bus, artifactEvents.versionAdded, next, { version: next.latestVersion, author })
    return next
  })
  return view(deps.database.db, row)
}
