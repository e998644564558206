import { API_KEY_PREFIX } from '@bosun/contracts/principal'
import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { type Static, Type as T } from '@sinclair/typebox'

export const AuthEnv = T.Object({
  ...commonEnv,
  PORT: T.Integer({ default: 3001, minimum: 0, maximum: 65535 }),
  DATABASE_URL: T.Optional(T.String()),
  GITHUB_WEB_URL: T.String({ default: 'https://github.com', pattern: '^https?://' }),
  GITHUB_API_URL: T.String({ default: 'https://api.github.com', pattern: '^https?://' }),
  GITHUB_CLIENT_ID: T.String({ default: '' }),
  GITHUB_CLIENT_SECRET: T.String({ default: '' }),
  BOSUN_ADMIN_LOGINS: T.String({ default: '' }),
  BOSUN_BOOTSTRAP_API_KEY: T.Optional(T.String({ pattern: `^${API_KEY_PREFIX}[A-Za-z0-9_-]{20,200}$` })),
  BOSUN_SECRET_KEY: T.Optional(
    T.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: '32 bytes, base64' }),
  ),
  BOSUN_SESSION_TTL_SECONDS: T.Integer({ default: 43200, minimum: 1, maximum: 30 * 86400 }),
  /** GitHub sign-in callbacks one client address may make per minute (each costs a call to GitHub); then 429. */
  BOSUN_RATE_OAUTH_CALLBACKS_PER_MINUTE: T.Integer({ default: 20, minimum: 1 }),
  /** Passkey sign-ins one client address may start per minute (each stores a challenge); then 429. */
  BOSUN_RATE_PASSKEY_SIGN_INS_PER_MINUTE: T.Integer({ default: 30, minimum: 1 }),
})
export type AuthEnv = Static<typeof AuthEnv>

export const readEnv = () => parseEnv(AuthEnv, process.env)
