export type DiffLine = { op: 'same' | 'added' | 'removed'; text: string }

/** Past this many lines on a side the table would be too large: the diff is the two texts whole. */
const MAX_LINES = 3000

/** Line diff of two texts by longest common subsequence, in reading order. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n')
  const b = after.split('\n')
  if (a.length > MAX_LINES || b.length > MAX_LINES)
    return [
      ...a.map((text) => ({ op: 'removed' as const, text })),
      ...b.map((text) => ({ op: 'added' as const, text })),
    ]
  const width = b.length + 1
  // lcs[i][j]: the common subsequence length of a[i..] and b[j..], one flat array.
  const lcs = new Uint32Array((a.length + 1) * width)
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!)
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! })
      i++
      j++
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)
      out.push({ op: 'removed', text: a[i++]! })
    else out.push({ op: 'added', text: b[j++]! })
  }
  while (i < a.length) out.push({ op: 'removed', text: a[i++]! })
  while (j < b.length) out.push({ op: 'added', text: b[j++]! })
  return out
}
