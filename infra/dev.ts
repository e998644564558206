/**
 * `npm run dev`: runs the whole of Bosun on this machine. NATS is the one at NATS_URL when it is set, else
 * one started here with a random token and its data in the data folder (never whatever answers on the
 * default port: an open NATS would let anyone on the machine call the services' requests); without GitHub
 * credentials the GitHub emulator runs with a demo organisation, and a demo workspace is seeded. Ctrl-C
 * stops everything.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { natsUrlForDisplay } from '@bosun/contracts/nats-url'
import { DEMO_USERS, startGitHubEmulator } from '@bosun/testkit/github/emulator'
import { startScriptedModel } from '@bosun/testkit/model/server'
import { natsAnswers, startNats } from '@bosun/testkit/nats'
import { DEV_PORTS, startStack } from '@bosun/testkit/stack'
import { supervise } from '@bosun/testkit/supervise'
import { buildWeb, WEB_DIST, watchWeb } from '@bosun/web/build'

const env = process.env
const dataDir = resolve(env.BOSUN_DATA_DIR || './data')
mkdirSync(dataDir, { recursive: true, mode: 0o700 })
const gatewayPort = Number(env.PORT || DEV_PORTS.gateway)

if (env.NATS_URL && !(await natsAnswers(env.NATS_URL))) {
  console.error(`NATS_URL is set but no NATS with JetStream answers at ${natsUrlForDisplay(env.NATS_URL)}`)
  process.exit(1)
}
const ownNats = env.NATS_URL ? undefined : await startNats({ dataDir: join(dataDir, 'nats') })
const natsUrl = ownNats?.url ?? env.NATS_URL!
console.log(
  ownNats
    ? `NATS: started nats-server on port ${ownNats.port} with a random token, data in ${dataDir}/nats (set NATS_URL to use another)`
    : `NATS: using NATS_URL ${natsUrlForDisplay(natsUrl)}`,
)

/** The bootstrap key survives restarts: from the environment, else generated once into the data folder. */
const bootstrapKey = (() => {
  if (env.BOSUN_BOOTSTRAP_API_KEY) return env.BOSUN_BOOTSTRAP_API_KEY
  const file = join(dataDir, 'bootstrap-api-key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const key = `psnip_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`
  writeFileSync(file, key, { mode: 0o600 })
  return key
})()

/** The web app: built before the gateway starts, rebuilt on every change to packages/web/src. */
await buildWeb(WEB_DIST, { minify: false })
const webWatcher = watchWeb(WEB_DIST)

const useEmulator = !env.GITHUB_CLIENT_ID
const github = useEmulator ? await startGitHubEmulator({ port: 3100, seed: 'demo' }) : false
/** A personal token for octo-dev on the emulator, so a person can open and label issues with curl. */
const demoGithubToken = 'gho_bosun_demo_octo_dev'
if (github) github.state.tokens.set(demoGithubToken, 'octo-dev')
/** Without model credentials the runner's default provider is the scripted model (demo scripts, offline). */
const model = env.BOSUN_MODEL_BASE_URL ? undefined : await startScriptedModel({ port: 3200 })

const stack = await startStack({
  ports: 'dev',
  gatewayPort,
  natsUrl,
  dataDir,
  github,
  bootstrapKey,
  webhookSecret: env.GITHUB_WEBHOOK_SECRET || 'bosun-dev-webhook-secret',
  env: {
    ...(useEmulator
      ? { BOSUN_ADMIN_LOGINS: env.BOSUN_ADMIN_LOGINS || 'octo-admin', LOG_LEVEL: env.LOG_LEVEL || 'info' }
      : {}),
    ...(model ? { BOSUN_MODEL_BASE_URL: model.url } : {}),
    BOSUN_WEB_DIR: WEB_DIST,
    // Passkeys need a host name here (e.g. http://localhost:3000): browsers refuse an IP address.
    ...(env.BOSUN_PUBLIC_URL ? { BOSUN_PUBLIC_URL: env.BOSUN_PUBLIC_URL } : {}),
  },
  echo: true,
})

// A service that dies is started again (with backoff) and the log says so; Ctrl-C stops the supervisor first.
const supervisor = supervise(
  Object.values(stack.services).filter((s) => s !== undefined),
  { log: (line) => console.error(`[supervisor] ${line}`) },
)

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${stack.publicUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bootstrapKey}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  })

/** The demo team: created once; 409 on later starts is expected. */
async function seedDemo() {
  const ok = (res: Response) => res.status < 300 || res.status === 409
  const steps = [
    await api('POST', '/api/workspaces', { id: 'demo', name: 'Demo team' }),
    ...(await Promise.all(
      DEMO_USERS.slice(0, 2).map((login) => api('POST', '/api/workspaces/demo/team-members', { login })),
    )),
    await api('POST', '/api/workspaces/demo/repositories', {
      fullName: 'demo-org/demo-repo',
      isDefaultForAgents: true,
    }),
    await api('POST', '/api/auto-trigger-repos', { workspace: 'demo', repo: 'demo-org/demo-repo' }),
    await api('POST', '/api/workspaces/demo/author-records', {
      login: 'octo-new',
      status: 'unknown',
      note: 'New contributor',
    }),
  ]
  const failed = steps.filter((r) => !ok(r))
  if (failed.length) console.warn(`demo seed: ${failed.length} step(s) failed`, await failed[0]!.text())
}
await seedDemo()

const lines = [
  '',
  'Bosun is running.',
  `  Open            ${env.BOSUN_PUBLIC_URL || stack.publicUrl}`,
  useEmulator
    ? `  Sign in         as octo-admin (admin) or octo-dev (member) on the GitHub emulator (${github && github.url})`
    : '  Sign in         with GitHub',
  ...(github
    ? [
        `  GitHub token    ${demoGithubToken} (octo-dev on the emulator; labeling an issue \`bosun:trigger\` dispatches an agent)`,
      ]
    : []),
  `  Demo workspace  demo`,
  `  Issue brief     curl -X POST -H "Authorization: Bearer <API key>" ${stack.publicUrl}/api/workspaces/demo/artifacts/issue/demo-org/demo-repo/1/start-generation`,
  `  API key         ${env.BOSUN_BOOTSTRAP_API_KEY ? '(BOSUN_BOOTSTRAP_API_KEY)' : `${bootstrapKey} (saved in ${dataDir}/bootstrap-api-key)`}`,
  `  NATS            ${natsUrlForDisplay(natsUrl)} (${ownNats ? 'started here, token-protected' : 'NATS_URL'})`,
  model
    ? `  Model           scripted demo model at ${model.url} (try: Create a file named notes.txt that says hello.)`
    : `  Model           ${env.BOSUN_MODEL_BASE_URL}`,
  ...Object.entries(stack.services)
    .filter(([name]) => name !== 'gateway')
    .map(([name, s]) => `  ${name.padEnd(15)} ${s!.url}/swagger`),
  '  Stop            Ctrl-C',
  '',
]
console.log(lines.join('\n'))

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  console.log('Stopping Bosun…')
  webWatcher.close()
  supervisor.stop()
  await stack.stop()
  await model?.stop()
  await ownNats?.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
