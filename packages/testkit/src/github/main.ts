import { startGitHubEmulator } from './emulator'

/**
 * Standalone: `bun packages/testkit/src/github/main.ts` (PORT, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET,
 * GITHUB_WEBHOOK_URL + GITHUB_WEBHOOK_SECRET to send webhooks).
 */
const env = process.env
const emulator = await startGitHubEmulator({
  port: Number(env.PORT ?? 3100),
  seed: 'demo',
  oauth: {
    clientId: env.GITHUB_CLIENT_ID ?? 'bosun-dev',
    clientSecret: env.GITHUB_CLIENT_SECRET ?? 'bosun-dev-secret',
  },
  ...(env.GITHUB_WEBHOOK_URL
    ? { webhook: { url: env.GITHUB_WEBHOOK_URL, secret: env.GITHUB_WEBHOOK_SECRET ?? '' } }
    : {}),
})
console.log(`GitHub emulator on ${emulator.url}`)
console.log(`  clone      git clone ${emulator.url}/demo-org/demo-repo.git`)
console.log(`  App id     ${emulator.app.appId} (private key below, PKCS#8)`)
console.log(emulator.app.privateKey)
