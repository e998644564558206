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
 * downloaded; the remote model catalog, autoupdate and sharing are off. The sandbox is the boundary, so
 * edits and shell run without asking (nobody is there to answer).
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

/** Variables that keep opencode from reaching out for updates, catalogs, LSP servers and plugins. */
export const OFFLINE_ENV: Record<string, string> = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_CLAUDE_CODE: '1',
  // opencode installs its plugin SDK into the config folder in the background; no registry, no wait.
  npm_config_registry: 'http://127.0.0.1:9/',
}
