import { Jwks } from '@bosun/contracts/auth'
import type { Database } from '@bosun/service-kit/db'
import type { Logger } from '@bosun/service-kit/log'
import type { SecretBox } from '@bosun/service-kit/secret-box'
import { assertValid } from '@bosun/service-kit/validate'
import { desc, eq } from 'drizzle-orm'
import { exportJWK, generateKeyPair, importJWK } from 'jose'
import type * as schema from '../db/schema'
import { signingKeys } from '../db/schema'

export type SigningKeys = {
  kid: string
  privateKey: CryptoKey
  jwks: Jwks
}

type Db = Database<typeof schema>

/** The sealed private key is bound to its key id, so a sealed value copied onto another row does not open. */
const aadOf = (kid: string) => `signing_key:${kid}`
/** Rows written before keys were sealed hold the JWK itself. */
const isPlaintext = (stored: string) => stored.trimStart().startsWith('{')

/** Makes a new Ed25519 key, sealed under the secret key; the newest key signs from the next start on. */
export async function addSigningKey(database: Db, box: SecretBox): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const kid = Bun.randomUUIDv7()
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }
  const priv = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' }
  const sealed = await box.seal(JSON.stringify(priv), aadOf(kid))
  await database.write((tx) =>
    tx
      .insert(signingKeys)
      .values({ kid, privateJwk: sealed, publicJwk: JSON.stringify(pub), createdAt: Date.now() })
      .onConflictDoNothing(),
  )
  return kid
}

/** Seals every private key still stored in plaintext (written before sealing), each in place. */
async function sealPlaintextKeys(database: Db, box: SecretBox, logger: Logger) {
  const rows = await database.db.select().from(signingKeys)
  for (const row of rows.filter((r) => isPlaintext(r.privateJwk))) {
    const sealed = await box.seal(row.privateJwk, aadOf(row.kid))
    await database.write((tx) =>
      tx.update(signingKeys).set({ privateJwk: sealed }).where(eq(signingKeys.kid, row.kid)),
    )
    logger.info('sealed a signing key stored in plaintext', { kid: row.kid })
  }
}

/** Loads the newest Ed25519 signing key, generating one on first start; private keys are sealed at rest. */
export async function loadSigningKeys(database: Db, box: SecretBox, logger: Logger): Promise<SigningKeys> {
  await sealPlaintextKeys(database, box, logger)
  let rows = await database.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt))
  if (rows.length === 0) {
    await addSigningKey(database, box)
    rows = await database.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt))
  }
  const newest = rows[0]!
  const jwk = JSON.parse(await box.open(newest.privateJwk, aadOf(newest.kid)))
  const privateKey = (await importJWK(jwk, 'EdDSA')) as CryptoKey
  return {
    kid: newest.kid,
    privateKey,
    jwks: assertValid(Jwks, { keys: rows.map((r) => JSON.parse(r.publicJwk)) }, 'jwks'),
  }
}
