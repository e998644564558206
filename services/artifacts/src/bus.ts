import { artifactRpc } from '@bosun/contracts/artifacts'
import type { EventConsumer } from '@bosun/service-kit/consumer'
import { found } from '@bosun/service-kit/errors'
import { findByKey, view } from './artifacts/store'
import type { ArtifactsDeps } from './deps'
import { consumeFreshness } from './freshness/consumer'
import { consumeThreadResults } from './generation/results'

/**
 * What artifacts answers and consumes on NATS: reads by key for other services; thread results of its
 * generations, and webhooks that make artifacts stale.
 */
export async function wireBus(deps: ArtifactsDeps): Promise<EventConsumer[]> {
  deps.bus.serve(artifactRpc, async ({ workspaceId, ...key }) =>
    view(deps.database.db, found(await findByKey(deps.database.db, workspaceId, key), 'Artifact')),
  )
  return [await consumeThreadResults(deps), ...(await consumeFreshness(deps))]
}
