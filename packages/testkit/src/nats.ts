import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { freePort, waitFor } from './wait'

export type NatsServer = {
  url: string
  port: number
  stop(): Promise<void>
  /** kill -9 (chaos tests); `start()` brings it back on the same port and data. */
  kill(): void
  start(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export function natsServerBinary(): string {
  const found = Bun.which('nats-server') ?? Bun.which('nats-server', { PATH: '/usr/sbin:/usr/local/sbin' })
  if (!found) throw new Error('nats-server is not installed (Debian: apt-get install nats-server)')
  return found
}

/**
 * A real nats-server with JetStream on loopback: by default a free port and a throwaway data folder;
 * the dev command passes a fixed port and a data folder that outlives it.
 */
export async function startNats(opts: { port?: number; dataDir?: string } = {}): Promise<NatsServer> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bosun-nats-'))
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const port = opts.port ?? (await freePort())
  // Every connection must authenticate: a sandboxed agent shares the host's loopback, and without a
  // credential it could read other threads' replies or publish work on the bus.
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex')
  let proc: ReturnType<typeof Bun.spawn> | undefined

  const start = async () => {
    proc = Bun.spawn(
      [
        natsServerBinary(),
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '--auth',
        token,
        '-js',
        '-sd',
        join(dir, 'js'),
        '-l',
        join(dir, 'log'),
      ],
      { stdout: 'ignore', stderr: 'ignore' },
    )
    await waitFor(
      async () => {
        const sock = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).catch(
          () => null,
        )
        sock?.end()
        return sock !== null
      },
      10_000,
      'nats-server to listen',
    )
  }
  await start()

  const stop = async () => {
    proc?.kill()
    await proc?.exited
    if (!opts.dataDir) rmSync(dir, { recursive: true, force: true })
  }
  return {
    url: `nats://${token}@127.0.0.1:${port}`,
    port,
    stop,
    kill: () => proc?.kill(9),
    start,
    [Symbol.asyncDispose]: stop,
  }
}

/** True when a NATS server with JetStream answers at `url`. */
export async function natsAnswers(url: string): Promise<boolean> {
  const { connect } = await import('nats')
  try {
    const nc = await connect({ ...natsConnectOptions(url), timeout: 2000, maxReconnectAttempts: 0 })
    try {
      await (await nc.jetstreamManager()).getAccountInfo()
      return true
    } finally {
      await nc.close()
    }
  } catch {
    return false
  }
}
