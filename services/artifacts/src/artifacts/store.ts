import type { Artifact, ArtifactAuthor, ArtifactKind, Generation } from '@bosun/contracts/artifacts'
import type { EventDef } from '@bosun/contracts/envelope'
import type { Bus } from '@bosun/service-kit/bus'
import { insertAtCommit, type Tx } from '@bosun/service-kit/db'
import { enqueueEvent } from '@bosun/service-kit/outbox'
import type { Static } from '@sinclair/typebox'
import { and, desc, eq } from 'drizzle-orm'
import * as schema from '../db/schema'

export type ArtTx = Tx<typeof schema>
export type ArtifactRow = typeof schema.artifacts.$inferSelect
export type VersionRow = typeof schema.versions.$inferSelect
export type GenerationRow = typeof schema.generations.$inferSelect
type Reader = Pick<ArtTx, 'select'>

export const newId = (prefix: string) => `${prefix}_${Bun.randomUUIDv7().replaceAll('-', '')}`
const iso = (ms: number) => new Date(ms).toISOString()

export type Key = { owner: string; repo: string; kind: ArtifactKind; number: number }

export const liveClaim = (row: ArtifactRow, now = Date.now()) =>
  row.claimLogin && row.claimExpiresAt !== null && row.claimExpiresAt > now
    ? { login: row.claimLogin, claimedAt: iso(row.claimedAt ?? now), expiresAt: iso(row.claimExpiresAt) }
    : null

export const authorOf = (v: VersionRow): ArtifactAuthor => ({
  kind: v.authorKind,
  name: v.authorName,
  threadId: v.threadId,
  requestedBy: v.requestedBy,
})

export const toGeneration = (g: GenerationRow): Generation => ({
  id: g.id,
  status: g.status,
  threadId: g.threadId,
  worktreeId: g.worktreeId,
  agent: g.agent,
  requestedBy: g.requestedBy,
  error: g.error,
  startedAt: iso(g.startedAt),
  endedAt: g.endedAt === null ? null : iso(g.endedAt),
})

export async function findByKey(db: Reader, workspaceId: string, key: Key) {
  const [row] = await db
    .select()
    .from(schema.artifacts)
    .where(
      and(
        eq(schema.artifacts.workspaceId, workspaceId),
        eq(schema.artifacts.repoKey, `${key.owner}/${key.repo}`.toLowerCase()),
        eq(schema.artifacts.kind, key.kind),
        eq(schema.artifacts.number, key.number),
      ),
    )
  return row
}

export async function findById(db: Reader, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(schema.artifacts)
    .where(and(eq(schema.artifacts.id, id), eq(schema.artifacts.workspaceId, workspaceId)))
  return row
}

/** The artifact for a key, created empty when there is none yet. `key` carries the repository's own spelling. */
export async function getOrCreate(tx: ArtTx, workspaceId: string, key: Key): Promise<ArtifactRow> {
  const existing = await findByKey(tx, workspaceId, key)
  if (existing) return existing
  const now = Date.now()
  const row: ArtifactRow = {
    id: newId('art'),
    workspaceId,
    owner: key.owner,
    repo: key.repo,
    repoKey: `${key.owner}/${key.repo}`.toLowerCase(),
    kind: key.kind,
    number: key.number,
    status: 'empty',
    statusReason: null,
    latestVersion: 0,
    claimLogin: null,
    claimedAt: null,
    claimExpiresAt: null,
    changedWhileGenerating: false,
    autoPending: false,
    createdAt: now,
    updatedAt: now,
  }
  await tx.insert(schema.artifacts).values(row)
  return row
}

export async function runningGeneration(db: Reader, artifactId: string) {
  const [row] = await db
    .select()
    .from(schema.generations)
    .where(and(eq(schema.generations.artifactId, artifactId), eq(schema.generations.status, 'running')))
  return row
}

/** The artifact as the API shows it: its latest version, live claim and current (else last) generation. */
export async function view(db: Reader, row: ArtifactRow): Promise<Artifact> {
  const [latest] = row.latestVersion
    ? await db
        .select()
        .from(schema.versions)
        .where(and(eq(schema.versions.artifactId, row.id), eq(schema.versions.number, row.latestVersion)))
    : []
  const [generation] = await db
    .select()
    .from(schema.generations)
    .where(eq(schema.generations.artifactId, row.id))
    .orderBy(desc(schema.generations.startedAt))
    .limit(1)
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    key: { owner: row.owner, repo: row.repo, kind: row.kind, number: row.number },
    status: row.status,
    statusReason: row.statusReason,
    latestVersion: row.latestVersion,
    content: latest?.content ?? null,
    author: latest ? authorOf(latest) : null,
    claim: liveClaim(row),
    generation: generation ? toGeneration(generation) : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  }
}

export async function update(tx: ArtTx, id: string, set: Partial<ArtifactRow>) {
  const [row] = await tx
    .update(schema.artifacts)
    .set({ ...set, updatedAt: Date.now() })
    .where(eq(schema.artifacts.id, id))
    .returning()
  return row!
}

/** The next version, in the caller's transaction. */
export async function addVersion(
  tx: ArtTx,
  row: ArtifactRow,
  content: string,
  author: ArtifactAuthor,
  set: Partial<ArtifactRow>,
) {
  const number = row.latestVersion + 1
  await tx.insert(schema.versions).values({
    artifactId: row.id,
    number,
    content,
    authorKind: author.kind,
    authorName: author.name,
    threadId: author.threadId,
    requestedBy: author.requestedBy,
    createdAt: Date.now(),
  })
  return update(tx, row.id, { ...set, latestVersion: number })
}

type Changed = { workspaceId: string; artifactId: string; key: Key; status: ArtifactRow['status'] }
/**
 * An artifact event into the outbox, with the fields every artifact event shares filled from the row, and its
 * change row, which the live hub turns into a live message once the commit is durable.
 */
export async function announce<E extends EventDef>(
  tx: ArtTx,
  bus: Pick<Bus, 'subjects' | 'source'>,
  def: E,
  row: ArtifactRow,
  data: Omit<Static<E['data']>, keyof Changed>,
) {
  const changed: Changed = {
    workspaceId: row.workspaceId,
    artifactId: row.id,
    key: { owner: row.owner, repo: row.repo, kind: row.kind, number: row.number },
    status: row.status,
  }
  await insertAtCommit(tx, schema.changes, {
    workspaceId: row.workspaceId,
    artifactId: row.id,
    type: def.type,
    at: Date.now(),
  })
  return enqueueEvent(tx, bus, def, { ...changed, ...data } as Static<E['data']>)
}
