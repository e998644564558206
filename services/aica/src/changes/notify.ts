import type { LiveFeedEvent } from '@bosun/contracts/aica'
import type { AicaDeps } from '../deps'

/**
 * Tells every aica instance that these threads' summaries (line counts, usage) changed: their realtime
 * sockets send the thread again, and the workspace feed sends a `summary`. Call after the commit.
 */
export function announceSummaries(deps: AicaDeps, threads: LiveFeedEvent[]) {
  for (const t of threads) {
    deps.hub.publishThread(t.threadId)
    deps.bus.nc.publish(deps.bus.subjects.rt('aica', 'feed', t.workspaceId), JSON.stringify(t))
  }
}
