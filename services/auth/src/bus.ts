import { githubTokenRpc, jwksRpc, revokedSessionsRpc, verifyKeyRpc } from '@bosun/contracts/auth'
import { memberAdded, memberRemoved } from '@bosun/contracts/workspace'
import { consumeEvents, type EventConsumer } from '@bosun/service-kit/consumer'
import { principalForKeyHash } from './api-keys/service'
import type { AuthDeps } from './deps'
import { applyMembership } from './members/service'
import { revokedSessions } from './session/service'
import { githubToken } from './users/service'

/** What auth answers on NATS and which events it follows. */
export async function wireBus(deps: AuthDeps): Promise<EventConsumer[]> {
  const { bus, database, logger } = deps
  bus.serve(jwksRpc, async () => deps.keys.jwks)
  bus.serve(verifyKeyRpc, async ({ keyHash }) => ({
    principal: await principalForKeyHash(database, keyHash),
  }))
  bus.serve(revokedSessionsRpc, async () => ({ sessions: await revokedSessions(database) }))
  bus.serve(githubTokenRpc, async ({ userId }) => ({ token: await githubToken(database, deps.box, userId) }))
  const common = { bus, database, logger }
  return Promise.all([
    consumeEvents({
      ...common,
      durable: 'auth-member-added',
      def: memberAdded,
      handler: (tx, e) => applyMembership(tx, e.data, true),
    }),
    consumeEvents({
      ...common,
      durable: 'auth-member-removed',
      def: memberRemoved,
      handler: (tx, e) => applyMembership(tx, e.data, false),
    }),
  ])
}
