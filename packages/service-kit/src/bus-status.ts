import type { NatsConnection } from 'nats'
import type { Logger } from './log'

export type PermissionRefusal = { operation: 'publish' | 'subscription'; subject: string; user: string }

/**
 * Reports the connection's life: disconnects and reconnects as warnings, and every NATS "Permissions
 * Violation" as an error naming the operation and subject. A refused publish fails that one message (its
 * caller sees a timeout); a refused subscription would leave the service silently reading nothing, so
 * `onSubscriptionRefused` is called (by default the process exits 1: the deployment's auth.conf is wrong).
 */
export function watchConnection(
  nc: NatsConnection,
  opts: { logger: Logger; user: string; onSubscriptionRefused?: (refusal: PermissionRefusal) => void },
) {
  const refusedSubscription =
    opts.onSubscriptionRefused ??
    (() => {
      opts.logger.error(
        'exiting: a NATS subscription this service needs is refused (see infra/nats/auth.conf)',
      )
      process.exit(1)
    })
  ;(async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') {
        opts.logger.warn(`nats ${s.type}`, { server: s.data })
        continue
      }
      const ctx = s.type === 'error' ? s.permissionContext : undefined
      if (!ctx) continue
      const refusal: PermissionRefusal = {
        operation: ctx.operation === 'publish' ? 'publish' : 'subscription',
        subject: ctx.subject,
        user: opts.user,
      }
      opts.logger.error(
        `nats permission violation: ${refusal.operation} to ${refusal.subject} refused`,
        refusal,
      )
      if (refusal.operation === 'subscription') refusedSubscription(refusal)
    }
  })().catch(() => {})
}
