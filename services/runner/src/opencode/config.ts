import type { PermissionPolicy } from '@bosun/contracts/permissions'
import type { PermissionRule } from './client'

/** How opencode reaches the model: always through the runner's proxy, which holds the real key. */
export type ModelRoute = {
  /** Provider id opencode knows the model under, e.g. `bosun` or `anthropic`. */
  providerId: string
  modelId: string
  /** `anthropic` speaks Anthropic's API; everything else is OpenAI-compatible. */
  kind: string
  /** The proxy's base URL for this run (loopback, reachable from the sandbox). */
  baseURL: string
  /** The per-run proxy token; worthless outside this runner. */
  token: string
}

const npmFor = (kind: string) => (kind === 'anthropic' ? '@ai-sdk/anthropic' : '@ai-sdk/openai-compatible')

/**
 * The opencode config for a run. The provider packages are bundled in the opencode binary, so nothing is
 * downloaded; the remote model catalog, autoupdate and sharing are off. The server allows edits and shell;
 * each thread's own policy narrows that on its session (`sessionRules`).
 */
export function opencodeConfig(route: ModelRoute) {
  const model = `${route.providerId}/${route.modelId}`
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    provider: {
      [route.providerId]: {
        npm: npmFor(route.kind),
        name: `Bosun (${route.kind})`,
        options: { baseURL: route.baseURL, apiKey: route.token },
        models: { [route.modelId]: { name: route.modelId, tool_call: true } },
      },
    },
    model,
    small_model: model,
    permission: { edit: 'allow', bash: 'allow', webfetch: 'allow' },
  }
}

/**
 * A thread's policy as opencode's session ruleset. opencode takes the last matching rule, so the kinds come
 * first (`*` before the named ones), then the bash allowlist, then the question tool when questions are denied.
 * Without a policy (work from before policies) nothing is added: the server config allows everything.
 */
export function sessionRules(policy: PermissionPolicy | undefined): PermissionRule[] | undefined {
  if (!policy) return undefined
  const kinds = Object.entries(policy.rules).sort(([a], [b]) => (a === '*' ? -1 : b === '*' ? 1 : 0))
  return [
    ...kinds.map(([permission, action]) => ({ permission, pattern: '*', action })),
    ...policy.bashAllow.map((pattern) => ({ permission: 'bash', pattern, action: 'allow' as const })),
    ...(policy.questions === 'deny'
      ? [{ permission: 'question', pattern: '*', action: 'deny' as const }]
      : []),
  ]
}

/** Variables that keep opencode from reaching out for updates, catalogs, LSP servers and plugins. */
export const OFFLINE_ENV: Record<string, string> = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_CLAUDE_CODE: '1',
  // The agent may ask the thread's owner (aica keeps the question until someone answers).
  OPENCODE_ENABLE_QUESTION_TOOL: '1',
  // opencode installs its plugin SDK into the config folder in the background; no registry, no wait.
  npm_config_registry: 'http://127.0.0.1:9/',
}
