import { RELAY_TOKEN_PREFIX } from '@bosun/contracts/relay'
import { sha256Hex } from '@bosun/service-kit/auth-guard'
import type { Tx } from '@bosun/service-kit/db'
import { and, eq, gt, lt } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { Db } from '../deps'

/**
 * Relay tokens are random (256 bits) and stored only as SHA-256 with their worktree and expiry, so any
 * aica instance can check them, archive revokes them, and a database leak reveals none.
 */
export async function mintRelayToken(tx: Tx<typeof schema>, worktreeId: string, ttlSeconds: number) {
  const token = `${RELAY_TOKEN_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`
  const expiresAt = Date.now() + ttlSeconds * 1000
  await tx.delete(schema.relayTokens).where(lt(schema.relayTokens.expiresAt, Date.now()))
  await tx.insert(schema.relayTokens).values({ hash: sha256Hex(token), worktreeId, expiresAt })
  return { token, expiresAt: new Date(expiresAt).toISOString() }
}

/** The worktree a relay token is for, or undefined when unknown, expired or revoked. */
export async function relayTokenWorktree(database: Db, token: string): Promise<string | undefined> {
  if (!token.startsWith(RELAY_TOKEN_PREFIX)) return undefined
  const [row] = await database.db
    .select({ worktreeId: schema.relayTokens.worktreeId })
    .from(schema.relayTokens)
    .where(and(eq(schema.relayTokens.hash, sha256Hex(token)), gt(schema.relayTokens.expiresAt, Date.now())))
    .limit(1)
  return row?.worktreeId
}

export async function revokeRelayTokens(tx: Tx<typeof schema>, worktreeId: string) {
  await tx.delete(schema.relayTokens).where(eq(schema.relayTokens.worktreeId, worktreeId))
}
