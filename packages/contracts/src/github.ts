import { type Static, t } from 'elysia'
import { defineEvent } from './envelope'

/**
 * A GitHub webhook delivery as the webhooks service publishes it, on
 * `bosun.evt.github.<event>.<action>` (`none` when the event has no action, e.g. `ping`, `push`).
 */
export const githubWebhook = defineEvent(
  'github.webhook',
  t.Object({
    deliveryId: t.String(),
    event: t.String(),
    action: t.Optional(t.String()),
    /** `owner/name`, when the payload names a repository. */
    repository: t.Optional(t.String()),
    installationId: t.Optional(t.Integer()),
    /** True when this event was re-published from the delivery log. */
    redelivery: t.Boolean(),
    /** The webhook body; `null` when `payloadOmitted`. */
    payload: t.Unknown(),
    /**
     * True when the payload was too large for a bus message (NATS max_payload); read it from
     * `GET /api/webhook-deliveries/:deliveryId` instead.
     */
    payloadOmitted: t.Optional(t.Boolean()),
  }),
  (d) => ['github', d.event, d.action ?? 'none'],
)
export type GithubWebhook = Static<typeof githubWebhook.data>
