/**
 * Typechecks the whole tree in one `tsc` run: the shared packages are checked once instead of once per package
 * that imports them (measured: 24 s of CPU instead of 110 s for thirteen runs). A workspace whose tsconfig sets
 * compilerOptions of its own (the web app: DOM, JSX) is left out of the root tsconfig and checked by its own run.
 * Both are incremental: the build info lives in node_modules/.cache/bosun (git-ignored), so a run after a small
 * change rechecks only what it touched.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'

const root = join(import.meta.dir, '..')
const cache = join(root, 'node_modules', '.cache', 'bosun')
const own = ['packages', 'services'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .map((d) => join(root, dir, d))
    .filter((ws) => {
      const config = join(ws, 'tsconfig.json')
      return existsSync(config) && 'compilerOptions' in JSON.parse(readFileSync(config, 'utf8'))
    }),
)
const tsc = (project: string, name: string) =>
  Bun.spawn(
    ['tsc', '-p', project, '--incremental', '--tsBuildInfoFile', join(cache, `${name}.tsbuildinfo`)],
    { cwd: root, stdout: 'inherit', stderr: 'inherit' },
  ).exited
const codes = await Promise.all([
  tsc('tsconfig.json', 'tree'),
  ...own.map((ws) => tsc(join(ws, 'tsconfig.json'), basename(ws))),
])
process.exit(codes.every((c) => c === 0) ? 0 : 1)
