import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export { outbox, processedEvents } from '@bosun/service-kit/outbox-table'

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  login: text('login').notNull(),
  loginKey: text('login_key').notNull().unique(),
  name: text('name'),
  avatarUrl: text('avatar_url'),
  role: text('role', { enum: ['viewer', 'member', 'admin'] }).notNull(),
  /** AES-GCM sealed GitHub OAuth token; AAD is the user id. */
  githubTokenSealed: text('github_token_sealed'),
  createdAt: integer('created_at').notNull(),
  lastLoginAt: integer('last_login_at'),
})

export const invites = sqliteTable('invites', {
  loginKey: text('login_key').primaryKey(),
  login: text('login').notNull(),
  role: text('role', { enum: ['viewer', 'member', 'admin'] }).notNull(),
  invitedBy: text('invited_by').notNull(),
  createdAt: integer('created_at').notNull(),
})

/** Workspace memberships, projected from workspace events; a member of any workspace may sign in. */
export const memberships = sqliteTable(
  'memberships',
  {
    workspaceId: text('workspace_id').notNull(),
    loginKey: text('login_key').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.loginKey] }),
    index('memberships_login_key_idx').on(t.loginKey),
  ],
)

export const sessions = sqliteTable('sessions', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  revokedAt: integer('revoked_at'),
})

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.hash), index('api_keys_user_id_idx').on(t.userId)],
)

/** Ed25519 signing keys (private key sealed under BOSUN_SECRET_KEY); the newest signs, all unexpired ones are published in the JWKS. */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  privateJwk: text('private_jwk').notNull(),
  publicJwk: text('public_jwk').notNull(),
  createdAt: integer('created_at').notNull(),
})

/** A person's registered passkeys (WebAuthn credentials); the id shown in URLs is ours, not the credential's. */
export const passkeyCredentials = sqliteTable(
  'passkey_credentials',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    /** base64url, as the browser reports it */
    credentialId: text('credential_id').notNull(),
    /** COSE public key, base64url */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull(),
    transports: text('transports', { mode: 'json' }).$type<string[]>().notNull(),
    name: text('name').notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [
    uniqueIndex('passkey_credentials_credential_id_idx').on(t.credentialId),
    index('passkey_credentials_user_id_idx').on(t.userId),
  ],
)

/** Outstanding WebAuthn challenges: any auth instance can verify one, and verifying deletes it (single use). */
export const passkeyChallenges = sqliteTable(
  'passkey_challenges',
  {
    challenge: text('challenge').primaryKey(),
    purpose: text('purpose', { enum: ['register', 'authenticate'] }).notNull(),
    /** who registers; null for a sign-in, where nobody is known yet */
    userId: text('user_id'),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('passkey_challenges_expires_at_idx').on(t.expiresAt)],
)
