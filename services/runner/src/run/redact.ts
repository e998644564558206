/** Secrets shorter than this are not searched for: they would match ordinary text. */
const MIN_SECRET = 8

/**
 * Replaces every known secret value in every string of `value` (items are JSON-shaped). Defence in depth:
 * the sandbox keeps runner secrets out already; this keeps a thread's own tokens out of its items.
 */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const list = secrets.filter((s) => s.length >= MIN_SECRET)
  if (!list.length) return value
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return list.reduce((text, s) => text.replaceAll(s, '[redacted]'), v)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(value) as T
}
