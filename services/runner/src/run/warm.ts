import { errorFields } from '@bosun/service-kit/log'
import type { RunnerDeps } from '../deps'
import { type Sandboxed, spawnSandboxed } from './host'

/** A spare nobody took for this long is dropped: it holds memory and a cgroup for nothing. */
const MAX_AGE_MS = 30 * 60_000

export type WarmPool = {
  /** A started opencode for this repository and model, when one is ready; the caller owns it. */
  take(repo: string, modelId: string, kind: string, egress: string[]): Sandboxed | undefined
  /** Starts a spare for this repository in the background, within the pool's size. */
  refill(repo: string, modelId: string, kind: string, egress: string[]): void
  stop(): Promise<void>
}

// The egress hosts are part of the key: a spare's proxy and HTTPS_PROXY are fixed when it starts.
const keyOf = (repo: string, modelId: string, kind: string, egress: string[]) =>
  `${repo}\n${modelId}\n${kind === 'anthropic' ? 'anthropic' : 'openai-compatible'}\n${egress.join(',')}`

/**
 * Pre-started opencode servers, one per recently used repository (up to `size`), in the sandbox over an
 * empty folder with no thread's environment: a thread without extraEnv takes one, and its checkout and
 * model route are filled in then. This takes opencode's boot out of the dispatch latency.
 */
export function createWarmPool(deps: RunnerDeps, size: number): WarmPool {
  const spares = new Map<string, Sandboxed>()
  const starting = new Set<string>()
  let stopped = false
  return {
    take(repo, modelId, kind, egress) {
      const key = keyOf(repo, modelId, kind, egress)
      const spare = spares.get(key)
      if (!spare) return undefined
      spares.delete(key)
      if (Date.now() - spare.startedAt <= MAX_AGE_MS) return spare
      void spare.discard()
      return undefined
    },
    refill(repo, modelId, kind, egress) {
      const key = keyOf(repo, modelId, kind, egress)
      if (stopped || size === 0 || spares.has(key) || starting.has(key)) return
      if (spares.size + starting.size >= size) {
        const oldest = [...spares.entries()].sort((a, b) => a[1].startedAt - b[1].startedAt)[0]
        if (!oldest) return
        spares.delete(oldest[0])
        void oldest[1].discard()
      }
      starting.add(key)
      spawnSandboxed(deps, {
        repo,
        name: `warm-${crypto.randomUUID()}`,
        modelId,
        // Rebound to the thread's provider when a thread takes it; until then nothing can be asked.
        upstream: { kind, baseURL: 'http://127.0.0.1:9/v1' },
        env: {},
        egress,
      })
        .then(async (spare) => {
          const up = await spare.server.then(
            () => true,
            () => false,
          )
          if (stopped || !up) return spare.discard()
          spares.set(key, spare)
        })
        .catch((err) => deps.logger.warn('warm opencode failed to start', errorFields(err)))
        .finally(() => starting.delete(key))
    },
    async stop() {
      stopped = true
      for (const spare of spares.values()) await spare.discard()
      spares.clear()
    },
  }
}
