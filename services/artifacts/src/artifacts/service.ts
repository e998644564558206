import type { ArtifactVersion } from '@bosun/contracts/artifacts'
import type { Principal } from '@bosun/contracts/principal'
import { found, notFound } from '@bosun/service-kit/errors'
import { decodeKeyCursor, encodeKeyCursor } from '@bosun/service-kit/paging'
import { and, count, desc, eq, lt } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { ArtifactsDeps } from '../deps'
import { repositoryOf } from '../workspaces/access'
import { authorOf, findById, findByKey, type Key, type VersionRow, view } from './store'

const iso = (ms: number) => new Date(ms).toISOString()
const DEFAULT_PAGE = 50

/** The workspace (404 unless the caller is in it) and the key in the repository's own spelling (404 unless the workspace has it). */
export async function resolveKey(deps: ArtifactsDeps, principal: Principal, workspaceId: string, key: Key) {
  const snapshot = await deps.workspaces.forCaller(principal, workspaceId)
  const repository = repositoryOf(snapshot, key.owner, key.repo)
  const [owner, repo] = repository.fullName.split('/') as [string, string]
  return { snapshot, repository, key: { ...key, owner, repo } }
}

export async function artifactByKey(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  key: Key,
) {
  await resolveKey(deps, principal, workspaceId, key)
  const row = found(await findByKey(deps.database.db, workspaceId, key), 'Artifact')
  return view(deps.database.db, row)
}

/** An artifact of a workspace the caller is in; 404 for anything else. */
export async function visibleArtifact(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  id: string,
) {
  await deps.workspaces.forCaller(principal, workspaceId)
  return found(await findById(deps.database.db, workspaceId, id), 'Artifact')
}

export const toVersion = (v: VersionRow): ArtifactVersion => ({
  artifactId: v.artifactId,
  number: v.number,
  content: v.content,
  author: authorOf(v),
  createdAt: iso(v.createdAt),
})

export async function listVersions(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  artifactId: string,
  query: { cursor?: string; page_size?: number },
) {
  const row = await visibleArtifact(deps, principal, workspaceId, artifactId)
  const pageSize = query.page_size ?? DEFAULT_PAGE
  const after = decodeKeyCursor(query.cursor, 'number-desc', 1)
  const rows = await deps.database.db
    .select()
    .from(schema.versions)
    .where(
      and(
        eq(schema.versions.artifactId, row.id),
        after ? lt(schema.versions.number, Number(after[0])) : undefined,
      ),
    )
    .orderBy(desc(schema.versions.number))
    .limit(pageSize + 1)
  const [total] = await deps.database.db
    .select({ n: count() })
    .from(schema.versions)
    .where(eq(schema.versions.artifactId, row.id))
  const results = rows.slice(0, pageSize)
  const hasMore = rows.length > pageSize
  const last = results.at(-1)
  return {
    results: results.map((v) => ({
      artifactId: v.artifactId,
      number: v.number,
      chars: v.content.length,
      author: authorOf(v),
      createdAt: iso(v.createdAt),
    })),
    pagination: {
      pageSize,
      cursor: query.cursor ?? '',
      nextCursor: hasMore && last ? encodeKeyCursor('number-desc', [last.number]) : '',
      hasMore,
      returnedCount: results.length,
      totalCount: total?.n ?? 0,
    },
  }
}

export async function getVersion(
  deps: ArtifactsDeps,
  principal: Principal,
  workspaceId: string,
  artifactId: string,
  n: number,
) {
  const row = await visibleArtifact(deps, principal, workspaceId, artifactId)
  const [v] = await deps.database.db
    .select()
    .from(schema.versions)
    .where(and(eq(schema.versions.artifactId, row.id), eq(schema.versions.number, n)))
  if (!v) throw notFound(`Version ${n}`)
  return toVersion(v)
}
