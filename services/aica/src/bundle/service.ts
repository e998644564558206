import {
  BUNDLE_ITEM_MAX_BYTES,
  BUNDLE_TOTAL_MAX_BYTES,
  type BundleItem,
  type BundleKind,
} from '@bosun/contracts/bundle'
import type { Principal } from '@bosun/contracts/principal'
import { AppError, conflict, found, notFound } from '@bosun/service-kit/errors'
import { and, asc, eq, sql, sum } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'
import { knownWorkspaceIds, rememberWorkspace } from '../threads/create'
import { bundleDigest } from './digest'

type Row = typeof schema.bundleItems.$inferSelect
const iso = (ms: number) => new Date(ms).toISOString()
const toItem = (r: Row): BundleItem => ({
  ...r,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
})

/** Where opencode reads each kind from, when the item names no path. */
const defaultPath: Record<BundleKind, (name: string) => string | undefined> = {
  agents: (n) => `.opencode/agent/${n.replace(/\.md$/, '')}.md`,
  commands: (n) => `.opencode/command/${n.replace(/\.md$/, '')}.md`,
  skills: (n) => `.opencode/skills/${n}/SKILL.md`,
  files: () => undefined,
}

export async function bundleWorkspace(deps: AicaDeps, principal: Principal, given?: string) {
  const id = await deps.access.resolve(principal, given, knownWorkspaceIds(deps))
  if (given) await rememberWorkspace(deps, id)
  return id
}

const where = (ws: string, kind: BundleKind, name?: string) =>
  and(
    eq(schema.bundleItems.workspaceId, ws),
    eq(schema.bundleItems.kind, kind),
    name === undefined ? undefined : eq(schema.bundleItems.name, name),
  )

export async function listBundle(deps: AicaDeps, ws: string, kind: BundleKind) {
  const rows = await deps.database.db
    .select()
    .from(schema.bundleItems)
    .where(where(ws, kind))
    .orderBy(asc(schema.bundleItems.name))
  return { workspaceId: ws, digest: await bundleDigest(deps.database.db, ws), items: rows.map(toItem) }
}

export async function getBundleItem(deps: AicaDeps, ws: string, kind: BundleKind, name: string) {
  const [row] = await deps.database.db
    .select()
    .from(schema.bundleItems)
    .where(where(ws, kind, name))
  return toItem(found(row, 'Bundle item'))
}

async function assertTotal(
  tx: Parameters<Parameters<AicaDeps['database']['write']>[0]>[0],
  ws: string,
  adding: number,
) {
  const [total] = await tx
    .select({ n: sum(sql`length(${schema.bundleItems.content})`) })
    .from(schema.bundleItems)
    .where(eq(schema.bundleItems.workspaceId, ws))
  if (Number(total?.n ?? 0) + adding > BUNDLE_TOTAL_MAX_BYTES)
    throw new AppError(
      'payload_too_large',
      `A workspace bundle holds at most ${BUNDLE_TOTAL_MAX_BYTES} bytes`,
    )
}

function checkSize(content: string) {
  if (Buffer.byteLength(content) > BUNDLE_ITEM_MAX_BYTES)
    throw new AppError('payload_too_large', `A bundle item holds at most ${BUNDLE_ITEM_MAX_BYTES} bytes`)
}

export async function createBundleItem(
  deps: AicaDeps,
  principal: Principal,
  ws: string,
  kind: BundleKind,
  body: { name: string; path?: string; content: string },
) {
  checkSize(body.content)
  const path = body.path ?? defaultPath[kind](body.name)
  if (!path) throw new AppError('invalid_request', 'Files need a `path`')
  const now = Date.now()
  const row: Row = {
    workspaceId: ws,
    kind,
    name: body.name,
    path,
    content: body.content,
    version: 1,
    createdBy: principal.login,
    createdAt: now,
    updatedBy: principal.login,
    updatedAt: now,
  }
  await deps.database.write(async (tx) => {
    const [existing] = await tx
      .select({ v: schema.bundleItems.version })
      .from(schema.bundleItems)
      .where(where(ws, kind, body.name))
    if (existing) throw conflict(`${kind}/${body.name} exists; PUT to change it`)
    await assertTotal(tx, ws, Buffer.byteLength(body.content))
    await tx.insert(schema.bundleItems).values(row)
  })
  return toItem(row)
}

export async function updateBundleItem(
  deps: AicaDeps,
  principal: Principal,
  ws: string,
  kind: BundleKind,
  name: string,
  body: { path?: string; content: string; version?: number },
) {
  checkSize(body.content)
  const row = await deps.database.write(async (tx) => {
    const [existing] = await tx
      .select()
      .from(schema.bundleItems)
      .where(where(ws, kind, name))
    if (!existing) throw notFound('Bundle item')
    if (body.version !== undefined && body.version !== existing.version)
      throw conflict(`Version ${existing.version} is current, not ${body.version}`)
    await assertTotal(tx, ws, Buffer.byteLength(body.content) - Buffer.byteLength(existing.content))
    const next: Row = {
      ...existing,
      path: body.path ?? existing.path,
      content: body.content,
      version: existing.version + 1,
      updatedBy: principal.login,
      updatedAt: Date.now(),
    }
    await tx
      .update(schema.bundleItems)
      .set(next)
      .where(where(ws, kind, name))
    return next
  })
  return toItem(row)
}

export async function deleteBundleItem(deps: AicaDeps, ws: string, kind: BundleKind, name: string) {
  const gone = await deps.database.write((tx) =>
    tx
      .delete(schema.bundleItems)
      .where(where(ws, kind, name))
      .returning({ name: schema.bundleItems.name }),
  )
  if (gone.length === 0) throw notFound('Bundle item')
}

/** The runner's view: every current item, with the current digest (it differs when edited since dispatch). */
export async function bundleForRunner(deps: AicaDeps, ws: string) {
  const digest = await bundleDigest(deps.database.db, ws)
  const rows = await deps.database.db
    .select()
    .from(schema.bundleItems)
    .where(eq(schema.bundleItems.workspaceId, ws))
    .orderBy(asc(schema.bundleItems.kind), asc(schema.bundleItems.name))
  return {
    digest,
    items: rows.map((r) => ({ kind: r.kind, name: r.name, path: r.path, content: r.content })),
  }
}
