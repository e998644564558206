import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { repoRoot } from './launcher'
import { freePort, waitFor } from './wait'

/** The users of infra/nats/auth.conf: one per service that connects to NATS, and `ops`. */
export const NATS_USERS = [
  'auth',
  'workspace',
  'dashboard',
  'artifacts',
  'aica',
  'webhooks',
  'runner',
  'ops',
] as const
export type NatsUser = (typeof NATS_USERS)[number]
export const NATS_AUTH_CONF = join(repoRoot, 'infra', 'nats', 'auth.conf')

export type NatsServer = {
  /** `ops`'s credentials (everything) with per-service users; the one token in `token` mode. */
  url: string
  /** A service's own credentials (per-service users), else `url`. */
  urlFor(user: NatsUser): string
  port: number
  /** The permission violations nats-server logged so far (a service that needs more than it may do). */
  violations(): string[]
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

const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex')

/**
 * A real nats-server with JetStream on loopback: by default a free port and a throwaway data folder;
 * the dev command passes a fixed port and a data folder that outlives it. By default it runs the
 * production authorization (infra/nats/auth.conf) with passwords made for this run, so every suite
 * proves the services work within their permissions; `auth: 'token'` is one credential for everything.
 */
export async function startNats(
  opts: { port?: number; dataDir?: string; auth?: 'users' | 'token' } = {},
): Promise<NatsServer> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bosun-nats-'))
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const port = opts.port ?? (await freePort())
  const token = secret()
  // nats-server reads an environment variable's value as config: one of digits would be a number.
  const passwords = Object.fromEntries(NATS_USERS.map((u) => [u, `pw${secret()}`])) as Record<
    NatsUser,
    string
  >
  const users = (opts.auth ?? 'users') === 'users'
  const urlFor = (user: NatsUser) =>
    users ? `nats://${user}:${passwords[user]}@127.0.0.1:${port}` : `nats://${token}@127.0.0.1:${port}`
  let proc: ReturnType<typeof Bun.spawn> | undefined

  const start = async () => {
    proc = Bun.spawn(
      [
        natsServerBinary(),
        ...(users ? ['-c', NATS_AUTH_CONF] : ['--auth', token, '-js']),
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '-sd',
        join(dir, 'js'),
        '-l',
        join(dir, 'log'),
      ],
      {
        env: users
          ? Object.fromEntries(
              NATS_USERS.map((u) => [`BOSUN_NATS_${u.toUpperCase()}_PASSWORD`, passwords[u]]),
            )
          : {},
        stdout: 'ignore',
        stderr: 'ignore',
      },
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
    url: urlFor('ops'),
    urlFor,
    port,
    violations: () => {
      const log = join(dir, 'log')
      if (!existsSync(log)) return []
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('Violation'))
    },
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
