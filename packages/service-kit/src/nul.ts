/**
 * Where a NUL character sits in a parsed JSON value, as a JSON pointer, or undefined. A NUL cannot be stored as
 * sent (libSQL ends the text there), so it is refused rather than silently cut. Iterative: a body nested 100k deep
 * must not overflow the stack.
 */
export function nulPath(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']]
  while (stack.length > 0) {
    const [v, path] = stack.pop()!
    if (typeof v === 'string') {
      if (v.includes('\0')) return path || '/'
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}/${i}`])
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`
        if (k.includes('\0')) return at
        stack.push([child, at])
      }
    }
  }
  return undefined
}

/** A NUL in the path or query, escaped (`%00`) as it must be in a URL. */
export const urlHasNul = (url: string) => /%00/.test(url)
