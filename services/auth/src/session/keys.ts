import { Jwks } from '@bosun/contracts/auth'
import type { Database } from '@bosun/service-kit/db'
import { assertValid } from '@bosun/service-kit/validate'
import { desc } from 'drizzle-orm'
import { exportJWK, generateKeyPair, importJWK } from 'jose'
import type * as schema from '../db/schema'
import { signingKeys } from '../db/schema'

export type SigningKeys = {
  kid: string
  privateKey: CryptoKey
  jwks: Jwks
}

/** Loads the newest Ed25519 signing key, generating one on first start. */
export async function loadSigningKeys(database: Database<typeof schema>): Promise<SigningKeys> {
  let rows = await database.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt))
  if (rows.length === 0) {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    const kid = Bun.randomUUIDv7()
    const pub = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }
    const priv = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' }
    await database.write((tx) =>
      tx
        .insert(signingKeys)
        .values({
          kid,
          privateJwk: JSON.stringify(priv),
          publicJwk: JSON.stringify(pub),
          createdAt: Date.now(),
        })
        .onConflictDoNothing(),
    )
    rows = await database.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt))
  }
  const newest = rows[0]!
  const privateKey = (await importJWK(JSON.parse(newest.privateJwk), 'EdDSA')) as CryptoKey
  return {
    kid: newest.kid,
    privateKey,
    jwks: assertValid(Jwks, { keys: rows.map((r) => JSON.parse(r.publicJwk)) }, 'jwks'),
  }
}
