/**
 * Builds the web app into `outdir`: hashed JS and CSS under `assets/` (served immutable) and `index.html`
 * (the shell, served no-cache). `bun build.ts [outdir]` builds once; `watchWeb` rebuilds on change (dev).
 */
import { watch } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'

export const WEB_SRC = join(import.meta.dir, 'src')
export const WEB_DIST = join(import.meta.dir, 'dist')

export type WebBuild = { js: string[]; css: string[] }

export async function buildWeb(outdir = WEB_DIST, opts: { minify?: boolean } = {}): Promise<WebBuild> {
  const result = await Bun.build({
    entrypoints: [join(WEB_SRC, 'main.tsx')],
    outdir: join(outdir, 'assets'),
    target: 'browser',
    // Lazy imports (the diff viewer) become chunks of their own, fetched when first rendered.
    splitting: true,
    minify: opts.minify ?? true,
    naming: { entry: '[name]-[hash].[ext]', chunk: '[name]-[hash].[ext]', asset: '[name]-[hash].[ext]' },
    publicPath: '/assets/',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  if (!result.success) throw new AggregateError(result.logs, 'web build failed')
  const names = result.outputs.map((o) => basename(o.path))
  const entries = new Set(result.outputs.filter((o) => o.kind === 'entry-point').map((o) => basename(o.path)))
  // Gzipped once here, so the gateway serves them compressed without compressing per request.
  await Promise.all(
    result.outputs.map(async (o) => Bun.write(`${o.path}.gz`, Bun.gzipSync(await Bun.file(o.path).bytes()))),
  )
  // The shell loads the entry only; chunks are imported by it. Every stylesheet is linked (Bun emits the CSS
  // of lazy modules as files of their own, and nothing would load them).
  const built = {
    js: names.filter((n) => n.endsWith('.js') && entries.has(n)),
    css: names.filter((n) => n.endsWith('.css')),
  }
  await mkdir(outdir, { recursive: true })
  // The shell is written last and renamed into place, so it never names assets that are not there yet.
  const tmp = join(outdir, `index.html.${process.pid}.tmp`)
  await writeFile(tmp, shell(built))
  await rename(tmp, join(outdir, 'index.html'))
  return built
}

const shell = (b: WebBuild) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Bosun</title>
<link rel="icon" href="data:,">
${b.css.map((c) => `<link rel="stylesheet" href="/assets/${c}">`).join('\n')}
${b.js.map((j) => `<script type="module" src="/assets/${j}"></script>`).join('\n')}
</head>
<body><div id="root"></div></body>
</html>
`

/** Rebuilds whenever a source file changes; a failed build is reported and the last good one kept. */
export function watchWeb(outdir = WEB_DIST, log: (line: string) => void = console.log) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const rebuild = () => {
    const started = performance.now()
    buildWeb(outdir, { minify: false })
      .then(() => log(`web: rebuilt in ${Math.round(performance.now() - started)} ms`))
      .catch((err: unknown) =>
        log(`web: build failed: ${err instanceof AggregateError ? err.errors.join('\n') : err}`),
      )
  }
  const watcher = watch(WEB_SRC, { recursive: true }, () => {
    clearTimeout(timer)
    timer = setTimeout(rebuild, 100)
  })
  return { close: () => watcher.close() }
}

if (import.meta.main) {
  const out = resolve(process.argv[2] ?? WEB_DIST)
  const b = await buildWeb(out)
  console.log(`web: built ${[...b.js, ...b.css].join(', ')} into ${out}`)
}
