import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type DiffBody,
  FILE_MAX_CONTENT_BYTES,
  type FileBody,
  isSafeWorktreePath,
  type ReadAnswer,
  type ReadRequest,
} from '@bosun/contracts/changes'
import { AppError } from '@bosun/service-kit/errors'
import { confinedRun } from '../git/confined'
import type { Sandbox } from '../sandbox/sandbox'
import { PATCH_BYTE_CAP, parseDiff } from './parse'

/** A checkout to read: the folder, the commit it started at, and the mirror holding that commit's objects. */
export type ReadTarget = { sandbox: Sandbox; dir: string; baseSha: string; mirror: string }

const READ_TIMEOUT_MS = 30_000

/**
 * The diff runs in a fresh sandbox, over the checkout bound read-only, with a git directory of our own
 * (in a scratch folder): the agent's `.git` (config, hooks, filters, textconv, fsmonitor, alternates)
 * is never read. The base tree comes from the runner's mirror; the files are compared as the worktree
 * holds them (symlinks as links, never followed). Files over 8 MB count as binary.
 */
const DIFF_SCRIPT = `set -e
T=$PWD
W=$(cd "$1" && pwd -P)
git init -q "$T/repo"
export GIT_DIR="$T/repo/.git" GIT_WORK_TREE="$W" GIT_ALTERNATE_OBJECT_DIRECTORIES="$3" GIT_OPTIONAL_LOCKS=0
cd "$W"
git read-tree "$2"
git add --intent-to-add --ignore-errors -- . >/dev/null 2>&1 || true
g() { git -c core.bigFileThreshold=8m -c core.quotePath=false -c diff.renames=true -c color.ui=never \\
  diff --no-ext-diff --no-textconv -M "$@"; }
g --raw -z "$2" > "$T/raw"
g --numstat -z "$2" > "$T/num"
if [ "$4" = 0 ]; then : > "$T/patch"; else g -p "$2" | head -c "$4" > "$T/patch"; fi
`

/** A file's content, read in the sandbox; a symlink or a path through one leading outside is not followed. */
const FILE_SCRIPT = `W=$(cd "$1" && pwd -P)
cd "$W" || exit 1
P="$2"
if [ -L "$P" ]; then echo symlink; printf '%s' "$(readlink -- "$P" | head -c 4096)"; exit 0; fi
[ -e "$P" ] || { echo missing; exit 0; }
R=$(realpath -e -- "$P")
case "$R" in "$W"/*) ;; *) echo outside; exit 0;; esac
[ -f "$R" ] || { echo special; exit 0; }
echo "file $(stat -c %s -- "$R")"
head -c "$3" -- "$R"
`

/** Answers a read request for a checkout. */
export async function readCheckout(target: ReadTarget, read: ReadRequest): Promise<ReadAnswer> {
  const diff = await readDiff(target)
  if (read.kind === 'diff') return { kind: 'diff', diff }
  return { kind: 'file', baseSha: target.baseSha, file: await readFile(target, read.path, diff) }
}

/** The diff; with `countsOnly` its files and line counts without patches (cheaper, for the thread's counts). */
export async function readDiff(target: ReadTarget, opts: { countsOnly?: boolean } = {}): Promise<DiffBody> {
  const scratch = mkdtempSync(join(tmpdir(), 'bosun-read-'))
  try {
    const out = await confinedRun(
      { sandbox: target.sandbox, dir: scratch, readable: [target.dir, target.mirror] },
      [
        '/bin/sh',
        '-c',
        DIFF_SCRIPT,
        'sh',
        target.dir,
        target.baseSha,
        join(target.mirror, 'objects'),
        opts.countsOnly ? '0' : String(PATCH_BYTE_CAP),
      ],
      { timeoutMs: READ_TIMEOUT_MS, maxBytes: 64 * 1024 },
    )
    if (out.code !== 0)
      throw new AppError(
        'unavailable',
        `Reading the worktree's diff failed: ${out.stderr.trim().slice(0, 300)}`,
      )
    const part = (name: string) => {
      const path = join(scratch, name)
      // Written by git in the sandbox, but read as plain files only.
      if (!lstatSync(path).isFile()) throw new AppError('internal', 'Unexpected diff output')
      return readFileSync(path)
    }
    return parseDiff(target.baseSha, part('raw'), part('num'), part('patch'))
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function readFile(target: ReadTarget, path: string, diff: DiffBody): Promise<FileBody> {
  if (!isSafeWorktreePath(path)) throw new AppError('invalid_request', 'Invalid path')
  const entry = diff.files.find((f) => f.path === path) ?? null
  const scratch = mkdtempSync(join(tmpdir(), 'bosun-file-'))
  try {
    const out = await confinedRun(
      { sandbox: target.sandbox, dir: scratch, readable: [target.dir] },
      ['/bin/sh', '-c', FILE_SCRIPT, 'sh', target.dir, path, String(FILE_MAX_CONTENT_BYTES)],
      { timeoutMs: READ_TIMEOUT_MS, maxBytes: FILE_MAX_CONTENT_BYTES + 1024 },
    )
    if (out.code !== 0) throw new AppError('unavailable', 'Reading the file failed')
    const nl = out.stdout.indexOf(10)
    const head = out.stdout.subarray(0, nl < 0 ? undefined : nl).toString('utf8')
    const rest = nl < 0 ? Buffer.alloc(0) : out.stdout.subarray(nl + 1)
    const [kind, sizeText] = head.split(' ')
    const base = { path, diff: entry, truncated: false }
    if (kind === 'symlink')
      return { ...base, kind: 'symlink', size: null, binary: false, content: rest.toString('utf8') }
    if (kind === 'file') {
      const size = Number(sizeText)
      const binary = rest.includes(0)
      return {
        ...base,
        kind: 'file',
        size,
        binary,
        content: binary ? null : rest.toString('utf8'),
        truncated: size > rest.length,
      }
    }
    if (kind === 'missing' && entry?.status === 'deleted')
      return { ...base, kind: 'deleted', size: null, binary: false, content: null }
    // Missing, a folder, a device, or a path through a link leading out of the worktree.
    throw new AppError('not_found', 'No such file in the worktree')
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
