/**
 * Typechecks the whole tree in one `tsc` run: the shared packages are checked once instead of once per package
 * that imports them (measured: 24 s of CPU instead of 110 s for thirteen runs). A workspace whose tsconfig sets
 * compilerOptions of its own (the web app: DOM, JSX) is left out of the root tsconfig and checked by its own script.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const own = ['packages', 'services'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .map((d) => join(root, dir, d))
    .filter((ws) => {
      const config = join(ws, 'tsconfig.json')
      return existsSync(config) && 'compilerOptions' in JSON.parse(readFileSync(config, 'utf8'))
    })
    .map((ws) => (JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8')) as { name: string }).name),
)
const run = (args: string[]) =>
  Bun.spawnSync(args, { cwd: root, stdout: 'inherit', stderr: 'inherit' }).exitCode === 0
const tree = run(['tsc', '-p', 'tsconfig.json'])
const separate = own.length === 0 || run(['turbo', 'run', 'typecheck', ...own.map((n) => `--filter=${n}`)])
process.exit(tree && separate ? 0 : 1)
