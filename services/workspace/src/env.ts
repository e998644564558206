import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { type Static, Type as T } from '@sinclair/typebox'

export const WorkspaceEnv = T.Object({
  ...commonEnv,
  PORT: T.Integer({ default: 3002, minimum: 0, maximum: 65535 }),
  DATABASE_URL: T.Optional(T.String()),
  /** Change rows kept for realtime resume; older ones are pruned and a resuming client gets a snapshot. */
  BOSUN_WORKSPACE_CHANGES_RETAIN: T.Integer({ default: 10_000, minimum: 10 }),
})
export type WorkspaceEnv = Static<typeof WorkspaceEnv>

export const readEnv = () => parseEnv(WorkspaceEnv, process.env)
