import type { Bus } from '@bosun/service-kit/bus'
import type { GitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import type { RunnerEnv } from './env'
import type { SandboxLimits } from './sandbox/limits'
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
  limits: SandboxLimits
  /** False where cgroup v1 is not ours to write: processes and memory are then not limited (said in the note). */
  cgroups: boolean
  /** Undefined when no GitHub App is configured (clones go unauthenticated). */
  githubApp: GitHubApp | undefined
}
