import type { Bus } from '@bosun/service-kit/bus'
import type { GitHubApp } from '@bosun/service-kit/github-app'
import type { Logger } from '@bosun/service-kit/log'
import type { RunnerEnv } from './env'
import type { Standin } from './proxy/egress-allow'
import type { Cgroups } from './sandbox/cgroup'
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
  /** Undefined where no cgroup is ours to write: processes, memory and CPU are then not limited (said in the note). */
  cgroups: Cgroups | undefined
  /** The operator's egress ceiling (`BOSUN_RUNNER_EGRESS_ALLOW`) and, in tests, local stand-ins for hosts. */
  egress: { ceiling: string[]; standins: Map<string, Standin> }
  /** Undefined when no GitHub App is configured (clones go unauthenticated). */
  githubApp: GitHubApp | undefined
}
