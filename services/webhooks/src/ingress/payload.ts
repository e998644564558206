import { AppError, invalid } from '@bosun/service-kit/errors'
import type { DeliveryMeta } from '../bus'

export type BodyKind = 'json' | 'form'

/**
 * GitHub sends `application/json`, or `application/x-www-form-urlencoded` with the JSON in a `payload` field
 * when a hook is configured that way; both are signed over the raw body, so both are accepted.
 */
export function bodyKind(contentType: string | null): BodyKind {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase()
  if (type === 'application/json') return 'json'
  if (type === 'application/x-www-form-urlencoded') return 'form'
  throw new AppError(
    'unsupported_media_type',
    'Send application/json (or application/x-www-form-urlencoded with a payload field)',
  )
}

/** The payload's JSON text and its parsed object; only called on a verified body. */
export function parsePayload(kind: BodyKind, text: string): { json: string; value: Record<string, unknown> } {
  const json = kind === 'json' ? text : new URLSearchParams(text).get('payload')
  if (json === null) throw invalid('Form body without a payload field')
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw invalid('Payload is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('Payload is not a JSON object')
  return { json, value: value as Record<string, unknown> }
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined

/** What consumers route on, read from the payload where GitHub puts it. */
export function describe(deliveryId: string, event: string, payload: Record<string, unknown>): DeliveryMeta {
  const action = payload.action
  const repository = field(payload.repository, 'full_name')
  const installationId = field(payload.installation, 'id')
  return {
    deliveryId,
    event,
    action: typeof action === 'string' && action.length > 0 ? action : null,
    repository: typeof repository === 'string' && repository.length > 0 ? repository : null,
    installationId: Number.isSafeInteger(installationId) ? (installationId as number) : null,
  }
}
