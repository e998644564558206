import { type Static, Type as T, type TObject } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Variables every service reads; a service's own env schema spreads these in. */
export const commonEnv = {
  NATS_URL: T.String({ default: 'nats://127.0.0.1:4222' }),
  BOSUN_DATA_DIR: T.String({ default: './data' }),
  BOSUN_SUBJECT_PREFIX: T.String({ default: 'bosun', pattern: '^[A-Za-z0-9_-]+$' }),
  /** The URL people open: its origin is the one browsers may send cookie-authenticated writes from. */
  BOSUN_PUBLIC_URL: T.String({ default: 'http://127.0.0.1:3000', pattern: '^https?://[^/]+$' }),
  BOSUN_EXTENSION_ORIGINS: T.String({
    default: '',
    description: 'Comma-separated origins allowed CORS with credentials',
  }),
  /** Failed API-key lookups one client address may cause per minute, per service; then 429. */
  BOSUN_RATE_FAILED_KEY_LOOKUPS: T.Integer({ default: 30, minimum: 1 }),
  /** Realtime sockets one person may hold open at once, per service instance; then 429. */
  BOSUN_RATE_SOCKETS_PER_PERSON: T.Integer({ default: 20, minimum: 1 }),
  LOG_LEVEL: T.Union(
    [T.Literal('debug'), T.Literal('info'), T.Literal('warn'), T.Literal('error'), T.Literal('silent')],
    {
      default: 'info',
    },
  ),
  HOST: T.String({ default: '127.0.0.1' }),
}

export class EnvError extends Error {}

/** Values of these are never echoed in a configuration error: it lands in logs and CI output. */
const SECRET_NAME = /SECRET|KEY|TOKEN|PASSWORD|CREDENTIAL/i

/**
 * Reads and validates configuration once. A wrong value stops start with a message naming the variable.
 * Unset and empty variables take the schema default.
 */
export function parseEnv<S extends TObject>(
  schema: S,
  source: Record<string, string | undefined>,
): Static<S> {
  const raw: Record<string, string> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = source[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const withDefaults = Value.Default(schema, raw)
  const converted = Value.Convert(schema, withDefaults)
  const problems = [...Value.Errors(schema, converted)]
  if (problems.length > 0) {
    const lines = problems.map((e) => {
      const name = e.path.replace(/^\//, '') || '(root)'
      const value = raw[name]
      const shown =
        value === undefined ? 'unset' : SECRET_NAME.test(name) ? 'a value, not shown' : JSON.stringify(value)
      return `  ${name}: ${e.message} (got ${shown})`
    })
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return converted as Static<S>
}

export const splitList = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
