import { join } from 'node:path'
import { databaseUrl, openDatabase } from '@bosun/service-kit/db'
import { createLogger } from '@bosun/service-kit/log'
import { createSecretBox, secretKeyOrFile } from '@bosun/service-kit/secret-box'
import * as schema from './db/schema'
import { readEnv } from './env'
import { addSigningKey } from './session/keys'

// Adds a new signing key (sealed) with auth's own configuration; auth signs with it from its next start, and
// sessions signed by older keys stay valid because every key stays in the JWKS. See docs/keys.md.
const env = readEnv()
const logger = createLogger('auth', env.LOG_LEVEL)
const database = await openDatabase({
  url: databaseUrl(env.BOSUN_DATA_DIR, 'auth', env.DATABASE_URL),
  schema,
  migrationsFolder: join(import.meta.dir, '../drizzle'),
})
const kid = await addSigningKey(
  database,
  await createSecretBox(secretKeyOrFile(env.BOSUN_SECRET_KEY, env.BOSUN_DATA_DIR, 'auth', logger)),
)
database.close()
console.log(`added signing key ${kid}; restart auth to sign with it`)
