import { DEFAULT_RETENTION_DAYS, MAX_WEBHOOK_BYTES, MIN_RETENTION_DAYS } from '@bosun/contracts/webhooks'
import { commonEnv, parseEnv, splitList } from '@bosun/service-kit/env'
import { type Static, Type as T } from '@sinclair/typebox'

export const WebhooksEnv = T.Object({
  ...commonEnv,
  PORT: T.Integer({ default: 3006, minimum: 0, maximum: 65535 }),
  DATABASE_URL: T.Optional(T.String()),
  /** Comma-separated; every one is tried, so a new secret can be added before GitHub switches to it. */
  GITHUB_WEBHOOK_SECRET: T.String({ default: '' }),
  /** Days the delivery log keeps a delivery; dedupe remembers delivery ids as long. */
  BOSUN_WEBHOOKS_RETENTION_DAYS: T.Number({ default: DEFAULT_RETENTION_DAYS, minimum: MIN_RETENTION_DAYS }),
  /** Deliveries in progress at once; more are refused with 503 so latency stays bounded under overload. */
  BOSUN_WEBHOOKS_MAX_IN_FLIGHT: T.Integer({ default: 128, minimum: 1 }),
  /** A body not received within this is refused (400), so a trickling sender cannot hold a slot. */
  BOSUN_WEBHOOKS_BODY_TIMEOUT_MS: T.Integer({ default: 10_000, minimum: 100 }),
  /** Body bytes those deliveries may hold in memory together, by their Content-Length. */
  BOSUN_WEBHOOKS_MAX_IN_FLIGHT_BYTES: T.Integer({ default: 256 * 1024 * 1024, minimum: MAX_WEBHOOK_BYTES }),
  /** Of those, deliveries without a Content-Length (chunked; each may grow to 25 MB). GitHub sends none. */
  BOSUN_WEBHOOKS_MAX_UNSIZED: T.Integer({ default: 2, minimum: 0 }),
  /** A body still arriving this long after admission gives its slot up to a delivery that needs one. */
  BOSUN_WEBHOOKS_SLOW_BODY_MS: T.Integer({ default: 1000, minimum: 0 }),
})
export type WebhooksEnv = Static<typeof WebhooksEnv>

export const readEnv = () => parseEnv(WebhooksEnv, process.env)

export const webhookSecrets = (env: WebhooksEnv) => splitList(env.GITHUB_WEBHOOK_SECRET)
