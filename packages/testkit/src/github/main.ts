import { startGitHubEmulator } from './emulator'

// Standalone: `bun packages/testkit/src/github/main.ts` (PORT, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET).
const emulator = await startGitHubEmulator({
  port: Number(process.env.PORT ?? 3100),
  seed: 'demo',
  oauth: {
    clientId: process.env.GITHUB_CLIENT_ID ?? 'bosun-dev',
    clientSecret: process.env.GITHUB_CLIENT_SECRET ?? 'bosun-dev-secret',
  },
})
console.log(`GitHub emulator on ${emulator.url}`)
