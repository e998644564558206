import { resolve } from 'node:path'
import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { type Static, Type as T } from '@sinclair/typebox'

const upstream = (port: number) =>
  T.String({ default: `http://127.0.0.1:${port}`, pattern: '^https?://[^/]+$' })

export const GatewayEnv = T.Object({
  ...commonEnv,
  PORT: T.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  BOSUN_AUTH_URL: upstream(3001),
  BOSUN_WORKSPACE_URL: upstream(3002),
  BOSUN_DASHBOARD_URL: upstream(3003),
  BOSUN_ARTIFACTS_URL: upstream(3004),
  BOSUN_AICA_URL: upstream(3005),
  BOSUN_WEBHOOKS_URL: upstream(3006),
  /** How long a WebSocket upgrade may wait for its service to open the socket (or say why not): then 503. */
  BOSUN_GATEWAY_UPSTREAM_CONNECT_MS: T.Integer({ default: 10_000, minimum: 100 }),
  /** The web app's build (packages/web: `index.html` and `assets/`). */
  BOSUN_WEB_DIR: T.String({ default: resolve(import.meta.dir, '../../../packages/web/dist'), minLength: 1 }),
})
export type GatewayEnv = Static<typeof GatewayEnv>

export const readEnv = () => parseEnv(GatewayEnv, process.env)
