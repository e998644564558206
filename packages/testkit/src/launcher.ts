import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { freePort, waitFor } from './wait'

export const repoRoot = resolve(import.meta.dir, '../../..')

export type ServiceProcess = {
  name: string
  url: string
  port: number
  pid(): number | undefined
  /** Recent stdout/stderr lines, for failure messages. */
  logs(): string
  stop(): Promise<void>
  /** Resolves with the exit code when the running process exits (at once when none runs). */
  exited(): Promise<number | null>
  /** kill -9, for crash tests; `start()` brings it back on the same port and data. */
  kill(): Promise<void>
  start(): Promise<void>
}

export function serviceExists(name: string): boolean {
  return existsSync(join(repoRoot, 'services', name, 'src', 'index.ts'))
}

/** Runs `services/<name>/src/index.ts` as a real process and waits until its /ready answers 200. */
export async function startService(opts: {
  name: string
  env: Record<string, string>
  port?: number
  /** Echo the service's output to this process's stderr. */
  echo?: boolean
  /** A deadline, not a wait: readiness is polled. A minute, since npm test runs files side by side on a busy machine. */
  readyTimeoutMs?: number
}): Promise<ServiceProcess> {
  const port = opts.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const entry = join(repoRoot, 'services', opts.name, 'src', 'index.ts')
  const lines: string[] = []
  let proc: ReturnType<typeof Bun.spawn> | undefined

  const pump = async (stream: ReadableStream<Uint8Array> | null | undefined) => {
    if (!stream) return
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      const text = decoder.decode(chunk)
      if (opts.echo) process.stderr.write(text)
      lines.push(...text.split('\n').filter(Boolean))
      if (lines.length > 400) lines.splice(0, lines.length - 400)
    }
  }

  const start = async () => {
    proc = Bun.spawn([process.execPath, entry], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env, PORT: String(port), HOST: '127.0.0.1' },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    void pump(proc.stdout as ReadableStream<Uint8Array>)
    void pump(proc.stderr as ReadableStream<Uint8Array>)
    const current = proc
    try {
      await waitFor(
        async () => {
          if (current.exitCode !== null) throw new Error(`${opts.name} exited with ${current.exitCode}`)
          const res = await fetch(`${url}/ready`).catch(() => null)
          return res?.status === 200
        },
        opts.readyTimeoutMs ?? 60_000,
        `${opts.name} to be ready`,
      )
    } catch (err) {
      current.kill(9)
      throw new Error(
        `${(err as Error).message}\n--- ${opts.name} output ---\n${lines.slice(-60).join('\n')}`,
      )
    }
  }
  await start()

  return {
    name: opts.name,
    url,
    port,
    pid: () => proc?.pid,
    logs: () => lines.join('\n'),
    exited: async () => (proc ? await proc.exited : null),
    async stop() {
      if (!proc || proc.exitCode !== null) return
      proc.kill('SIGTERM')
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)])
      if (!exited) proc.kill(9)
      await proc.exited
    },
    async kill() {
      proc?.kill(9)
      await proc?.exited
    },
    start,
  }
}
