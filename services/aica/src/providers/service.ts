import type { HealthCheckResult, ProviderKind } from '@bosun/contracts/aica-admin'
import { OutboundRefused, safeFetch } from '@bosun/service-kit/safe-fetch'

const defaultBase: Record<ProviderKind, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  'openai-compatible': undefined,
}

/**
 * Probes `<baseURL>/models` with the key through the SSRF guard: 5 s, 64 KiB, no redirects. Only the
 * status is reported; the upstream body is never echoed.
 */
export async function probeProvider(
  body: { kind: ProviderKind; apiKey: string; baseURL?: string },
  allowHosts: readonly string[],
): Promise<HealthCheckResult> {
  const started = performance.now()
  const done = (status: HealthCheckResult['status'], httpStatus: number | null, message: string) => ({
    ok: status === 'ok',
    status,
    httpStatus,
    message,
    latencyMs: Math.round(performance.now() - started),
  })
  const base = body.baseURL ?? defaultBase[body.kind]
  if (!base) return done('refused', null, 'openai-compatible providers need a baseURL')
  const headers: Record<string, string> =
    body.kind === 'anthropic'
      ? { 'x-api-key': body.apiKey, 'anthropic-version': '2023-06-01' }
      : { authorization: `Bearer ${body.apiKey}` }
  try {
    const res = await safeFetch(`${base.replace(/\/+$/, '')}/models`, {
      headers: { ...headers, accept: 'application/json', 'user-agent': 'bosun-aica-probe' },
      timeoutMs: 5000,
      maxBytes: 64 * 1024,
      allowHosts,
    })
    if (res.status >= 200 && res.status < 300) return done('ok', res.status, 'The provider accepted the key')
    if (res.status === 401 || res.status === 403)
      return done('unauthorized', res.status, 'The provider refused the key')
    if (res.status >= 300 && res.status < 400)
      return done('upstream_error', res.status, 'Redirects are not followed')
    return done('upstream_error', res.status, `The provider answered HTTP ${res.status}`)
  } catch (err) {
    if (err instanceof OutboundRefused) return done('refused', null, err.message)
    return done('unreachable', null, 'The provider could not be reached')
  }
}
