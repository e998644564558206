import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from '@bosun/service-kit/env'
import { createLogger } from '@bosun/service-kit/log'
import { type NatsServer, startNats } from '@bosun/testkit/nats'
import { type TempDir, tempDir } from '@bosun/testkit/wait'
import { exportJWK, generateKeyPair } from 'jose'
import { signingKeys } from '../src/db/schema'
import { AuthEnv } from '../src/env'
import { addSigningKey } from '../src/session/keys'
import { startAuth } from '../src/start'

/** auth's signing key never sits in its database file in the clear, and its files are this user's alone. */
const logger = createLogger('auth-test', 'silent')
let nats: NatsServer
let dir: TempDir
let dataDir: string

beforeAll(async () => {
  nats = await startNats()
  dir = tempDir()
  dataDir = join(dir.path, 'data')
})

afterAll(async () => {
  await nats.stop()
  dir[Symbol.dispose]()
})

const env = () =>
  parseEnv(AuthEnv, {
    NATS_URL: nats.urlFor('auth'),
    BOSUN_DATA_DIR: dataDir,
    BOSUN_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'silent',
  })

/** Everything SQLite has written for auth: the database file and its write-ahead log. */
const onDisk = () =>
  ['auth.db', 'auth.db-wal']
    .map((f) => {
      try {
        return readFileSync(join(dataDir, f)).toString('latin1')
      } catch {
        return ''
      }
    })
    .join('')

/** Read through auth's own connection: a second SQLite library in one process would break its file locks. */
const storedKeys = (auth: Awaited<ReturnType<typeof startAuth>>) =>
  auth.deps.database.db.select().from(signingKeys)

test('the private key is sealed in the database file; files are 0600 and the folder made for them 0700', async () => {
  const auth = await startAuth(env(), logger)
  try {
    const rows = await storedKeys(auth)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.privateJwk.startsWith('{')).toBe(false)
    // An Ed25519 private JWK carries its secret as "d"; the public one has only "x".
    expect(onDisk()).not.toContain('"d":"')
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, 'auth.db')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dataDir, 'auth.db-wal')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dataDir, 'auth-secret.key'), { throwIfNoEntry: false })).toBeUndefined()
  } finally {
    await auth.stop()
  }
})

test('a key stored in plaintext before sealing is sealed at start and still signs', async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const kid = Bun.randomUUIDv7()
  // auth is stopped: this is the only connection to the file.
  const db = new Database(join(dataDir, 'auth.db'))
  db.query('insert into signing_keys (kid, private_jwk, public_jwk, created_at) values (?, ?, ?, ?)').run(
    kid,
    JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' }),
    JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }),
    Date.now(),
  )
  db.close()
  expect(onDisk()).toContain('"d":"')
  const auth = await startAuth(env(), logger)
  try {
    expect(auth.deps.keys.kid).toBe(kid)
    expect((await storedKeys(auth)).every((r) => !r.privateJwk.startsWith('{'))).toBe(true)
    await auth.deps.database.db.run('PRAGMA wal_checkpoint(TRUNCATE)')
    await auth.deps.database.db.run('VACUUM')
    expect(onDisk()).not.toContain('"d":"')
  } finally {
    await auth.stop()
  }
})

test('a rotated key signs from the next start; the older keys stay in the JWKS', async () => {
  const before = await startAuth(env(), logger)
  const kid = await addSigningKey(before.deps.database, before.deps.box)
  await before.stop()
  const after = await startAuth(env(), logger)
  try {
    expect(after.deps.keys.kid).toBe(kid)
    expect(after.deps.keys.jwks.keys.map((k) => k.kid)).toContain(before.deps.keys.kid)
  } finally {
    await after.stop()
  }
})
