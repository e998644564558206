import {
  DIFF_MAX_FILE_PATCH_CHARS,
  DIFF_MAX_FILES,
  DIFF_MAX_TOTAL_PATCH_CHARS,
  type DiffBody,
  type DiffFile,
  type DiffFileStatus,
} from '@bosun/contracts/changes'

/** Bytes of patch output read from git: enough for the character cap in any encoding; past it git is cut off. */
export const PATCH_BYTE_CAP = DIFF_MAX_TOTAL_PATCH_CHARS * 4 + 4096

type RawEntry = { status: DiffFileStatus; path: string; oldPath: string | null }
type NumEntry = { additions: number; deletions: number; binary: boolean }

/** `git diff --raw -z`: `:<modes> <shas> <status>\0<path>\0`, renames and copies with two paths. */
function parseRaw(raw: string): RawEntry[] {
  const parts = raw.split('\0')
  const out: RawEntry[] = []
  for (let i = 0; i < parts.length - 1; ) {
    const code = (parts[i++] ?? '').split(' ').pop() ?? ''
    const letter = code[0]
    if (letter === 'R' || letter === 'C') {
      const oldPath = parts[i++] ?? ''
      const path = parts[i++] ?? ''
      out.push(
        letter === 'R' ? { status: 'renamed', path, oldPath } : { status: 'added', path, oldPath: null },
      )
      continue
    }
    const path = parts[i++] ?? ''
    const status = letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified'
    out.push({ status, path, oldPath: null })
  }
  return out
}

/** `git diff --numstat -z`: `<add>\t<del>\t<path>\0`, or `<add>\t<del>\t\0<old>\0<new>\0`; `-` for binary. */
function parseNumstat(num: string): NumEntry[] {
  const parts = num.split('\0')
  const out: NumEntry[] = []
  for (let i = 0; i < parts.length - 1; ) {
    const [a = '', d = '', path = ''] = (parts[i++] ?? '').split('\t')
    if (path === '') i += 2
    const binary = a === '-'
    out.push({ additions: binary ? 0 : Number(a), deletions: binary ? 0 : Number(d), binary })
  }
  return out
}

/** One section per file, in the order git lists them (content lines start with ' ', '+' or '-'). */
function splitPatch(patch: string): string[] {
  const starts = [...patch.matchAll(/^diff --git /gm)].map((m) => m.index)
  return starts.map((s, i) => patch.slice(s, starts[i + 1] ?? patch.length))
}

/**
 * Builds the diff from git's three outputs. The patch output was cut at a byte cap: a file whose section
 * is missing or reaches the cut has no complete patch. Binary marks added and modified files; a deleted
 * or renamed binary keeps its status.
 */
export function parseDiff(baseSha: string, raw: Buffer, num: Buffer, patch: Buffer): DiffBody {
  const entries = parseRaw(raw.toString('utf8'))
  const counts = parseNumstat(num.toString('utf8'))
  const sections = splitPatch(patch.toString('utf8'))
  const cutAt = sections.length - 1
  let budget = DIFF_MAX_TOTAL_PATCH_CHARS
  let truncated = entries.length > DIFF_MAX_FILES
  const totals = { files: entries.length, additions: 0, deletions: 0 }
  const files: DiffFile[] = []
  entries.forEach((e, i) => {
    const n = counts[i] ?? { additions: 0, deletions: 0, binary: false }
    totals.additions += n.additions
    totals.deletions += n.deletions
    if (i >= DIFF_MAX_FILES) return
    const status: DiffFileStatus =
      n.binary && (e.status === 'added' || e.status === 'modified') ? 'binary' : e.status
    const whole = sections[i]
    // The last section may be the one the byte cap cut through.
    const complete = whole !== undefined && (i < cutAt || patch.length < PATCH_BYTE_CAP)
    const cap = Math.min(DIFF_MAX_FILE_PATCH_CHARS, budget)
    const text = complete && budget > 0 ? whole.slice(0, cap) : null
    const cut = text === null || text.length < (whole ?? '').length
    if (text !== null) budget -= text.length
    if (cut) truncated = true
    files.push({
      path: e.path,
      oldPath: e.oldPath,
      status,
      additions: n.additions,
      deletions: n.deletions,
      patch: text,
      truncated: cut,
    })
  })
  return { baseSha, files, totals, omittedFiles: Math.max(0, entries.length - DIFF_MAX_FILES), truncated }
}
