import { commonEnv, parseEnv } from '@bosun/service-kit/env'
import { githubAppEnv } from '@bosun/service-kit/github-app'
import { type Static, Type as T } from '@sinclair/typebox'

export const ArtifactsEnv = T.Object({
  ...commonEnv,
  ...githubAppEnv,
  PORT: T.Integer({ default: 3004, minimum: 0, maximum: 65535 }),
  DATABASE_URL: T.Optional(T.String()),
})
export type ArtifactsEnv = Static<typeof ArtifactsEnv>

export const readEnv = () => parseEnv(ArtifactsEnv, process.env)
