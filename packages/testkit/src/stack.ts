import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { GitHubEmulator } from './github/emulator'
import { type ServiceProcess, serviceExists, startService } from './launcher'
import { NATS_USERS, type NatsServer, type NatsUser, startNats } from './nats'
import { freePort, tempDir } from './wait'

/** Start order: auth first (everyone verifies against it), the gateway last. */
export const SERVICE_ORDER = [
  'auth',
  'workspace',
  'dashboard',
  'artifacts',
  'aica',
  'webhooks',
  'runner',
  'gateway',
] as const
export type ServiceName = (typeof SERVICE_ORDER)[number]

export const DEV_PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  auth: 3001,
  workspace: 3002,
  dashboard: 3003,
  artifacts: 3004,
  aica: 3005,
  webhooks: 3006,
  runner: 3007,
}

export type Stack = {
  /** Where the browser goes: the gateway when it runs, else auth (which then serves the OAuth callback). */
  publicUrl: string
  services: Partial<Record<ServiceName, ServiceProcess>>
  github?: GitHubEmulator
  /** NATS with every permission (`ops` on the stack's own NATS), for tests that watch the bus. */
  natsUrl: string
  /** What a service connects with: its own user on the stack's own NATS, else `natsUrl`. */
  natsUrlFor(service: NatsUser): string
  dataDir: string
  bootstrapKey: string
  webhookSecret: string
  env: Record<string, string>
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export type StackOptions = {
  /** Which services to run; default every one that exists in this checkout. */
  services?: readonly ServiceName[]
  /** A NATS to use with one credential for every service; by default one is started with a user per service. */
  natsUrl?: string
  /** Each service's own credentials on a NATS the caller started (the dev command). */
  natsUrlFor?: (service: NatsUser) => string
  dataDir?: string
  /** An emulator to use; by default one is started (OAuth client `bosun-dev`). `false`: real GitHub via env. */
  github?: GitHubEmulator | false
  ports?: 'random' | 'dev'
  gatewayPort?: number
  bootstrapKey?: string
  webhookSecret?: string
  env?: Record<string, string>
  echo?: boolean
}

const randomSecret = (prefix = '') =>
  `${prefix}${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`

/** A whole Bosun of real processes for tests and the dev command. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const wanted = SERVICE_ORDER.filter(
    (s) => (opts.services ? opts.services.includes(s) : true) && serviceExists(s),
  )
  const ownDir = opts.dataDir ? undefined : tempDir('bosun-stack-')
  const dataDir = opts.dataDir ?? ownDir!.path
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const nats: NatsServer | undefined = opts.natsUrl ? undefined : await startNats()
  const natsUrl = opts.natsUrl ?? nats!.url
  const natsUrlFor = (s: NatsUser) => opts.natsUrlFor?.(s) ?? nats?.urlFor(s) ?? natsUrl
  let github: GitHubEmulator | undefined
  if (opts.github === undefined) {
    const { startGitHubEmulator } = await import('./github/emulator')
    github = await startGitHubEmulator({ seed: 'demo' })
  } else if (opts.github) github = opts.github

  const ports: Partial<Record<ServiceName, number>> = {}
  for (const s of wanted) {
    ports[s] =
      s === 'gateway' && opts.gatewayPort !== undefined
        ? opts.gatewayPort
        : opts.ports === 'dev'
          ? DEV_PORTS[s]
          : await freePort()
  }
  const url = (s: ServiceName) => `http://127.0.0.1:${ports[s] ?? DEV_PORTS[s]}`
  const publicUrl = wanted.includes('gateway') ? url('gateway') : url('auth')
  const bootstrapKey = opts.bootstrapKey ?? randomSecret('psnip_')
  const webhookSecret = opts.webhookSecret ?? randomSecret()

  const env: Record<string, string> = {
    NATS_URL: natsUrl,
    BOSUN_DATA_DIR: dataDir,
    BOSUN_PUBLIC_URL: publicUrl,
    BOSUN_BOOTSTRAP_API_KEY: bootstrapKey,
    GITHUB_WEBHOOK_SECRET: webhookSecret,
    ...(github
      ? {
          GITHUB_WEB_URL: github.url,
          GITHUB_API_URL: github.url,
          GITHUB_CLIENT_ID: github.oauthClient.clientId,
          GITHUB_CLIENT_SECRET: github.oauthClient.clientSecret,
          GITHUB_APP_ID: github.app.appId,
          GITHUB_APP_PRIVATE_KEY: github.app.privateKey,
        }
      : {}),
    ...Object.fromEntries(SERVICE_ORDER.map((s) => [`BOSUN_${s.toUpperCase()}_URL`, url(s)])),
    ...opts.env,
  }

  const services: Stack['services'] = {}
  const stop = async () => {
    for (const s of [...wanted].reverse()) await services[s]?.stop()
    const violations = nats?.violations() ?? []
    if (violations.length) console.error(`NATS permission violations:\n${violations.join('\n')}`)
    await github?.stop()
    await nats?.stop()
    ownDir?.[Symbol.dispose]()
  }
  try {
    for (const s of wanted) {
      // Each service connects as its own NATS user; the gateway does not connect at all.
      const own = NATS_USERS.find((u) => u === s)
      const { NATS_URL: _, ...rest } = env
      const serviceEnv = own ? { ...env, NATS_URL: natsUrlFor(own) } : rest
      services[s] = await startService({ name: s, env: serviceEnv, port: ports[s], echo: opts.echo })
    }
  } catch (err) {
    await stop()
    throw err
  }
  // The emulator's App sends its webhooks where GitHub would: the webhooks service's public ingress.
  if (github && services.webhooks)
    github.setWebhook(`${services.webhooks.url}/api/webhooks/github`, webhookSecret)
  return {
    publicUrl,
    services,
    github,
    natsUrl,
    natsUrlFor,
    dataDir: join(dataDir),
    bootstrapKey,
    webhookSecret,
    env,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
