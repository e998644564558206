import { createServiceApp } from '@bosun/service-kit/app'
import type { Bus } from '@bosun/service-kit/bus'
import type { Logger } from '@bosun/service-kit/log'

export const VERSION = '0.1.0'

/** The runner has no API of its own: health, readiness (NATS) and metrics only. */
export function createApp(deps: { bus: Bus; logger: Logger }) {
  return createServiceApp({
    name: 'runner',
    version: VERSION,
    description: 'Takes dispatched AICA work, runs opencode in sandboxed git worktrees, relays to aica.',
    logger: deps.logger,
    extensionOrigins: [],
    ready: { nats: () => deps.bus.nc.flush() },
  })
}
