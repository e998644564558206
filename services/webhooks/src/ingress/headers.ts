const SECRET_LIKE = /signature|secret|token|auth|cookie|password|api[-_]?key|session/i
export const REDACTED = '[redacted]'

/** Headers as stored in the delivery log: signatures and anything secret-like never reach the database. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] = SECRET_LIKE.test(name) ? REDACTED : value
  })
  return out
}
