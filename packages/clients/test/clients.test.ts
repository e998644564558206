import { expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '@bosun/testkit/wait'

const pkg = join(import.meta.dir, '..')

test('the committed specs and clients match what the services serve now', async () => {
  using out = tempDir('bosun-clients-check-')
  const gen = Bun.spawnSync([process.execPath, join(pkg, 'scripts/generate.ts'), '--out', out.path], {
    cwd: pkg,
  })
  expect(gen.exitCode).toBe(0)
  const services =
    String(gen.stdout)
      .match(/generated clients for (.*) in/)?.[1]
      ?.split(', ') ?? []
  expect(services.length).toBeGreaterThan(0)
  const stale = services.flatMap((s) =>
    [`openapi/${s}.json`, `src/${s}.schema.d.ts`, `src/${s}.ts`].filter((file) => {
      const committed = (() => {
        try {
          return readFileSync(join(pkg, file), 'utf8')
        } catch {
          return ''
        }
      })()
      return committed !== readFileSync(join(out.path, file), 'utf8')
    }),
  )
  expect(stale, 'stale: run `bun run generate` in packages/clients and commit').toEqual([])
}, 120_000)

test('every spec passes the OpenAPI lint', () => {
  const lint = Bun.spawnSync(
    [
      join(pkg, 'node_modules/.bin/redocly'),
      'lint',
      '--config',
      'redocly.yaml',
      '--format',
      'stylish',
      'openapi/*.json',
    ],
    { cwd: pkg, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
  )
  const output = `${lint.stdout}${lint.stderr}`
  expect(output).toContain('valid')
  expect(lint.exitCode, output).toBe(0)
}, 60_000)
