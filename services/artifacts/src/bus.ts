import type { EventConsumer } from '@bosun/service-kit/consumer'
import type { ArtifactsDeps } from './deps'
import { consumeFreshness } from './freshness/consumer'
import { consumeThreadResults } from './generation/results'

/** What artifacts consumes on NATS: thread results of its generations, and webhooks that make artifacts stale. */
export async function wireBus(deps: ArtifactsDeps): Promise<EventConsumer[]> {
  return [await consumeThreadResults(deps), ...(await consumeFreshness(deps))]
}
