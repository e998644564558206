import type { ExtraEnv } from '@bosun/contracts/aica'
import { invalid } from '@bosun/service-kit/errors'

/**
 * Names that would let a dispatcher hijack the sandbox, its tools or the runner's credentials. Matched
 * without regard to case: several tools read lower-case forms too (curl's proxies). opencode is a Bun
 * binary, so Bun's and Node's variables reach it before the agent runs anything.
 */
const REFUSED = new Set([
  'PATH',
  'HOME',
  'USER',
  'SHELL',
  'PWD',
  'TMPDIR',
  'IFS',
  'ENV',
  'PS4',
  'SHELLOPTS',
  'PROMPT_COMMAND',
  'ZDOTDIR',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'RES_OPTIONS',
  'LOCPATH',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'CURL_CA_BUNDLE',
  'REQUESTS_CA_BUNDLE',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'NO_PROXY',
])
const REFUSED_PREFIXES = [
  'LD_',
  'DYLD_',
  'GIT_',
  'GH_',
  'GITHUB_',
  'OPENCODE_',
  'BOSUN_',
  'NATS_',
  'BASH_',
  'NODE_',
  'BUN_',
  'NPM_CONFIG_',
  'XDG_',
  'SSL_',
  'GCONV_',
  'GLIBC_',
  'MALLOC_',
  'PYTHON',
  'PERL',
  'RUBY',
]

export function refusedEnvNames(env: ExtraEnv): string[] {
  return Object.keys(env).filter((name) => {
    const upper = name.toUpperCase()
    return REFUSED.has(upper) || REFUSED_PREFIXES.some((p) => upper.startsWith(p))
  })
}

/**
 * Refused at dispatch, with the names only (a value is a secret, never echoed): names that would hijack
 * the sandbox, and values no process environment can hold (a NUL ends a C string; the runner could not
 * start the sandbox, and the error it then stored could carry the value).
 */
export function assertExtraEnv(env: ExtraEnv | undefined) {
  if (!env) return
  const refused = refusedEnvNames(env)
  if (refused.length > 0)
    throw invalid(
      'extraEnv names that would hijack the sandbox are refused',
      refused.map((name) => ({ in: 'body', path: `/extraEnv/${name}`, message: 'refused name' })),
    )
  const unpassable = Object.entries(env).filter(([, value]) => value.includes('\0'))
  if (unpassable.length > 0)
    throw invalid(
      'extraEnv values may not contain a NUL character',
      unpassable.map(([name]) => ({ in: 'body', path: `/extraEnv/${name}`, message: 'contains NUL' })),
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
