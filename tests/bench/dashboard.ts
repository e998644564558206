/**
 * Dashboard benchmark: in one run, bare Bun.serve GET JSON against a warm PR-bucket read (a signed-in user's
 * session, and an API key reading with the App installation), over the emulator's demo repository, at 50
 * connections, median of 3 rounds. Before the load it counts GitHub calls per bucket read: cold, warm, and
 * after a webhook made the checks stale. It reports, it does not assert. `bun tests/bench/dashboard.ts`
 */
import { signIn } from '@bosun/testkit/session'
import { startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'
import { measure, report, startBare } from './lib/load'

const stack = await startStack({
  services: ['auth', 'workspace', 'dashboard', 'webhooks'],
  env: { LOG_LEVEL: 'warn', BOSUN_ADMIN_LOGINS: 'octo-admin' },
})
const bare = await startBare()
try {
  const ws = stack.services.workspace!.url
  const dash = stack.services.dashboard!.url
  const admin = { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' }
  const post = (path: string, body: unknown) =>
    fetch(`${ws}/api/workspaces${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) })
  await post('', { id: 'bench', name: 'Bench' })
  await post('/bench/team-members', { login: 'octo-admin' })
  await post('/bench/repositories', { fullName: 'demo-org/demo-repo' })
  await post('/bench/check-policies', { name: 'ci', requiredChecks: ['build', 'test', 'ci/*'] })
  const session = await signIn(stack.publicUrl, 'octo-admin')
  const user = { authorization: `Bearer ${session}` }
  const url = `${dash}/api/dashboard/prs?bucket=ready&workspace=bench`

  const github = stack.github!
  const count = async (what: string, headers: Record<string, string>) => {
    const mark = github.requests.length
    const res = await fetch(url, { headers })
    const calls = github.requests.slice(mark)
    const notModified = calls.filter((c) => c.status === 304).length
    console.log(
      `${what.padEnd(44)} HTTP ${res.status}  GitHub calls ${String(calls.length).padStart(3)}  (304: ${notModified}, other: ${calls.length - notModified})`,
    )
  }
  console.log('\nGitHub calls per bucket read (demo repository, 6 open pull requests)')
  await count('user, cold', user)
  await count('user, warm', user)
  const repo = github.state.requireRepo('demo-org/demo-repo')
  const sha = [...repo.issues.values()].find((i) => i.pull && i.state === 'open')!.pull!.head.sha
  github.state.addStatus(
    'demo-org/demo-repo',
    { sha, state: 'success', context: 'ci/extra' },
    { notify: true },
  )
  await github.webhooksSettled()
  // The invalidation travels webhooks -> NATS -> dashboard; the first read that calls GitHub shows its cost.
  const after = (await waitFor(
    async () => {
      const mark = github.requests.length
      await fetch(url, { headers: user })
      const calls = github.requests.slice(mark)
      return calls.length > 0 ? calls : undefined
    },
    10_000,
    'the status webhook to stale the checks',
  ))!
  const revalidated = after.filter((c) => c.status === 304).length
  console.log(
    `${'user, after a status webhook (checks only)'.padEnd(44)} HTTP 200  GitHub calls ${String(after.length).padStart(3)}  (304: ${revalidated}, other: ${after.length - revalidated})`,
  )
  await count('user, warm again', user)
  await count('API key (App installation), cold', admin)
  await count('API key, warm', admin)

  const against = { url: bare.url }
  const warmUser = await measure('dashboard PR bucket, warm (session)', { url, headers: user }, { against })
  const warmKey = await measure('dashboard PR bucket, warm (API key)', { url, headers: admin }, { against })
  report([
    { result: warmUser, target: 0.3 },
    { result: warmKey, target: 0.3 },
  ])
} finally {
  bare.stop()
  await stack.stop()
}
