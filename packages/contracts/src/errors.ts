import { type Static, t } from 'elysia'

export const ErrorCode = t.Union([
  t.Literal('invalid_request'),
  t.Literal('unauthorized'),
  t.Literal('github_token_invalid'),
  t.Literal('forbidden'),
  t.Literal('not_found'),
  t.Literal('conflict'),
  t.Literal('payload_too_large'),
  t.Literal('unsupported_media_type'),
  t.Literal('rate_limited'),
  t.Literal('unavailable'),
  t.Literal('internal'),
])
export type ErrorCode = Static<typeof ErrorCode>

export const ErrorBody = t.Object(
  {
    error: ErrorCode,
    message: t.String(),
    details: t.Optional(t.Unknown()),
  },
  { title: 'Error', description: 'The one error shape of every Bosun route.' },
)
export type ErrorBody = Static<typeof ErrorBody>

/** The one table from error code to HTTP status. */
export const errorStatus: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  /** GitHub refused the stored user token: sign in with GitHub again. */
  github_token_invalid: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
}

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in, or the credential is invalid',
  403: 'Missing scope',
  404: 'Not found, or not visible to the caller',
  409: 'Conflict with an existing resource',
  413: 'Body too large',
  415: 'Unsupported content type',
  429: 'Rate limited',
  503: 'A dependency is unavailable',
}

/** Declares error responses once so every route lists them in OpenAPI without boilerplate. */
export function errors<const S extends readonly number[]>(...statuses: S) {
  const out = {} as { [K in S[number]]: typeof ErrorBody }
  for (const status of statuses) {
    ;(out as Record<number, typeof ErrorBody>)[status] = t.Object(ErrorBody.properties, {
      title: 'Error',
      description: errorDescriptions[status] ?? 'Error',
    })
  }
  return out
}
