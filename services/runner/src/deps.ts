import type { Bus } from '@bosun/service-kit/bus'
import type { GitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import type { RunnerEnv } from './env'
import type { ModelProxy } from './proxy/model-proxy'
import type { Sandbox } from './sandbox/sandbox'

export type RunnerDeps = {
  env: RunnerEnv
  bus: Bus
  logger: Logger
  runnerId: string
  /** Mirrors, worktrees and per-run state live under here. */
  root: string
  sandbox: Sandbox
  opencodeBin: string
  proxy: ModelProxy
  /** Undefined when no GitHub App is configured (clones go unauthenticated). */
  githubApp: GitHubApp | undefined
}
