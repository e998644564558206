import { CacheInvalidation } from '@bosun/contracts/dashboard'
import { githubWebhook } from '@bosun/contracts/github'
import { memberAdded, memberRemoved, workspaceCreated } from '@bosun/contracts/workspace'
import { consumeEvents, type EventConsumer } from '@bosun/service-kit/consumer'
import type { DashboardDeps } from './deps'
import { invalidationsFor } from './github/events'
import { applyMembership, applyWorkspaceCreated } from './workspaces/memberships'

/**
 * Webhook events are taken once per deployment (a shared durable consumer) and fanned out to every instance
 * on `bosun.rt.dashboard.invalidate`, since each instance holds its own cache. Membership events feed the
 * projection that picks a caller's default workspace; workspace.created, an admin's when there is one.
 */
export async function wireBus(deps: DashboardDeps): Promise<EventConsumer[]> {
  const { bus, database, logger } = deps
  const subject = bus.subjects.rt('dashboard', 'invalidate')
  const sub = bus.onLive(subject, CacheInvalidation, (inv) => {
    deps.freshness.invalidate(inv)
    void deps.hub.githubChanged(inv)
  })
  const common = { bus, database, logger }
  return Promise.all([
    consumeEvents({
      ...common,
      durable: 'dashboard-github',
      def: githubWebhook,
      filter: 'github.>',
      deliverNew: true,
      handler: async (_tx, e) => {
        for (const inv of invalidationsFor(e.data)) bus.nc.publish(subject, JSON.stringify(inv))
      },
    }),
    consumeEvents({
      ...common,
      durable: 'dashboard-member-added',
      def: memberAdded,
      handler: async (tx, e) => {
        await applyMembership(tx, e.data, true)
        deps.memberships.forget(e.data.login)
      },
    }),
    consumeEvents({
      ...common,
      durable: 'dashboard-workspace-created',
      def: workspaceCreated,
      handler: async (tx, e) => {
        await applyWorkspaceCreated(tx, e.data)
      },
    }),
    consumeEvents({
      ...common,
      durable: 'dashboard-member-removed',
      def: memberRemoved,
      handler: async (tx, e) => {
        await applyMembership(tx, e.data, false)
        deps.memberships.forget(e.data.login)
      },
    }),
  ]).then((consumers) => [...consumers, { stop: async () => sub.unsubscribe() }])
}
