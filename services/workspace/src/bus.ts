import { membershipRpc, snapshotRpc } from '@bosun/contracts/workspace'
import type { WorkspaceDeps } from './deps'
import { currentSeq, isMember, snapshot } from './workspaces/service'

/** What workspace answers on NATS. */
export function wireBus(deps: WorkspaceDeps) {
  deps.bus.serve(membershipRpc, async ({ workspaceId, login }) => {
    const exists = (await currentSeq(deps.database, workspaceId)) !== undefined
    return { exists, member: exists && (await isMember(deps.database, workspaceId, login)) }
  })
  deps.bus.serve(snapshotRpc, ({ workspaceId }) => snapshot(deps.database, workspaceId))
}
