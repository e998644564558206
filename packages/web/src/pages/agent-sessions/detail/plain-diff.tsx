/** `at`: the line's place in the diff, its identity. */
type Line = { at: number; kind: 'add' | 'del' | 'ctx' | 'hunk'; text: string; old?: number; new?: number }

/** A unified diff's lines with their old and new line numbers; file headers are dropped (the path is shown). */
export function parseUnifiedDiff(diff: string): Line[] {
  const out: Line[] = []
  // A diff without a hunk header (a new file as opencode reports it) still counts its lines from 1.
  let o = 1
  let n = 1
  // File headers lead a file's diff and end at its `+++` line; past them a removed `-- x` reads `--- x` and
  // is a line like any other.
  let inHeader = true
  for (const raw of diff.replace(/\r\n?/g, '\n').split('\n')) {
    if (raw.startsWith('diff ')) inHeader = true
    if (raw.startsWith('\\ No newline')) continue
    if (
      inHeader &&
      /^(diff |index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode)/.test(raw)
    ) {
      if (raw.startsWith('+++ ')) inHeader = false
      continue
    }
    inHeader = false
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw)
    if (hunk) {
      o = Number(hunk[1])
      n = Number(hunk[2])
      out.push({ at: out.length, kind: 'hunk', text: raw })
    } else if (raw.startsWith('+')) out.push({ at: out.length, kind: 'add', text: raw.slice(1), new: n++ })
    else if (raw.startsWith('-')) out.push({ at: out.length, kind: 'del', text: raw.slice(1), old: o++ })
    else if (raw.startsWith(' '))
      out.push({ at: out.length, kind: 'ctx', text: raw.slice(1), old: o++, new: n++ })
  }
  return out
}

type Row = { at: number; left?: Line; right?: Line; hunk?: string }

/** Side by side: runs of removed lines face the added lines that replace them. */
function splitRows(lines: Line[]): Row[] {
  const rows: Row[] = []
  let dels: Line[] = []
  let adds: Line[] = []
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++)
      rows.push({ at: (dels[i] ?? adds[i])!.at, left: dels[i], right: adds[i] })
    dels = []
    adds = []
  }
  for (const l of lines) {
    if (l.kind === 'del') dels.push(l)
    else if (l.kind === 'add') adds.push(l)
    else {
      flush()
      rows.push(l.kind === 'hunk' ? { at: l.at, hunk: l.text } : { at: l.at, left: l, right: l })
    }
  }
  flush()
  return rows
}

const SIGN = { add: '+', del: '-', ctx: ' ', hunk: '' }

export type DiffMode = 'unified' | 'split'

/**
 * A diff as a plain table of text: what shows while the diff viewer's chunk loads, and the numbered lines the
 * unit tests read. Lines are text, never HTML.
 */
export function PlainDiff({ diff, path, mode }: { diff: string; path: string; mode: DiffMode }) {
  const lines = parseUnifiedDiff(diff)
  return (
    <table className={`diff diff-${mode}`} aria-label={`Diff of ${path}`}>
      <tbody>
        {mode === 'unified'
          ? lines.map((l) => (
              <tr key={l.at} className={`diff-${l.kind}`}>
                {l.kind === 'hunk' ? (
                  <td colSpan={3}>{l.text}</td>
                ) : (
                  <>
                    <td className="ln">{l.old ?? ''}</td>
                    <td className="ln">{l.new ?? ''}</td>
                    <td className="code">
                      {SIGN[l.kind]}
                      {l.text}
                    </td>
                  </>
                )}
              </tr>
            ))
          : splitRows(lines).map((r) =>
              r.hunk !== undefined ? (
                <tr key={r.at} className="diff-hunk">
                  <td colSpan={4}>{r.hunk}</td>
                </tr>
              ) : (
                <tr key={r.at}>
                  <td className="ln">{r.left?.old ?? ''}</td>
                  <td className={`code diff-${r.left?.kind ?? 'none'}`}>{r.left?.text ?? ''}</td>
                  <td className="ln">{r.right?.new ?? ''}</td>
                  <td className={`code diff-${r.right?.kind ?? 'none'}`}>{r.right?.text ?? ''}</td>
                </tr>
              ),
            )}
      </tbody>
    </table>
  )
}

/**
 * The diff with a hunk header the viewer can parse: a diff without one (a new file as older runners reported
 * it) gets one counted from its lines.
 */
export function withHunkHeader(diff: string): string {
  if (/^@@ /m.test(diff)) return diff
  const lines = parseUnifiedDiff(diff)
  const olds = lines.filter((l) => l.old !== undefined).length
  const news = lines.filter((l) => l.new !== undefined).length
  const body = lines.map((l) => `${SIGN[l.kind]}${l.text}`).join('\n')
  return `@@ -${olds ? 1 : 0},${olds} +${news ? 1 : 0},${news} @@\n${body}\n`
}
