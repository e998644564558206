import type { ExtraEnv } from '@bosun/contracts/aica'
import { invalid } from '@bosun/service-kit/errors'

/** Names that would let a dispatcher hijack the sandbox, its tools or the runner's credentials. */
const REFUSED = new Set([
  'PATH',
  'HOME',
  'USER',
  'SHELL',
  'PWD',
  'TMPDIR',
  'IFS',
  'ENV',
  'BASH_ENV',
  'PROMPT_COMMAND',
  'GH_TOKEN',
  'GITHUB_TOKEN',
  'GH_HOST',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_ENTERPRISE_TOKEN',
  'NODE_OPTIONS',
  'NODE_PATH',
  'BUN_OPTIONS',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PERL5OPT',
  'RUBYOPT',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'no_proxy',
])
const REFUSED_PREFIXES = ['LD_', 'DYLD_', 'GIT_', 'OPENCODE_', 'BOSUN_', 'NATS_', 'BASH_FUNC_']

export function refusedEnvNames(env: ExtraEnv): string[] {
  return Object.keys(env).filter(
    (name) => REFUSED.has(name) || REFUSED_PREFIXES.some((p) => name.toUpperCase().startsWith(p)),
  )
}

export function assertExtraEnv(env: ExtraEnv | undefined) {
  if (!env) return
  const refused = refusedEnvNames(env)
  if (refused.length > 0)
    throw invalid(
      'extraEnv names that would hijack the sandbox are refused',
      refused.map((name) => ({ in: 'body', path: `/extraEnv/${name}`, message: 'refused name' })),
    )
}

export type ExtraEnvStore = {
  put(threadId: string, env: ExtraEnv): void
  /** Hands the values out once and forgets them. */
  take(threadId: string): ExtraEnv | undefined
  drop(threadId: string): void
}

/** Held in this process's memory only: never in a database, a stream or a log. */
export function createExtraEnvStore(): ExtraEnvStore {
  const held = new Map<string, ExtraEnv>()
  return {
    put: (threadId, env) => void held.set(threadId, env),
    take(threadId) {
      const env = held.get(threadId)
      held.delete(threadId)
      return env
    },
    drop: (threadId) => void held.delete(threadId),
  }
}
