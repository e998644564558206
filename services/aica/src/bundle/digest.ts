import { asc, eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { Db } from '../deps'

/**
 * SHA-256 over every item of a workspace's bundle (kind, name, path, content), in a stable order. `q` is
 * the database or a transaction (a consumer reads inside its own).
 */
export async function bundleDigest(q: Pick<Db['db'], 'select'>, workspaceId: string) {
  const rows = await q
    .select({
      kind: schema.bundleItems.kind,
      name: schema.bundleItems.name,
      path: schema.bundleItems.path,
      content: schema.bundleItems.content,
    })
    .from(schema.bundleItems)
    .where(eq(schema.bundleItems.workspaceId, workspaceId))
    .orderBy(asc(schema.bundleItems.kind), asc(schema.bundleItems.name))
  const hash = new Bun.CryptoHasher('sha256')
  for (const r of rows) hash.update(JSON.stringify([r.kind, r.name, r.path, r.content])).update('\n')
  return `sha256:${hash.digest('hex')}`
}
