/**
 * Foundation benchmark: in one run, bare Bun.serve GET JSON against the workspace service's /health,
 * a workspace snapshot read (API key) and a team-member write, at 50 connections, median of 3 paired rounds.
 * Prints ratios against the targets; it reports, it does not assert. `bun tests/bench/foundation.ts`
 */
import { startStack } from '@bosun/testkit/stack'
import { measure, report, startBare } from './lib/load'

const stack = await startStack({ services: ['auth', 'workspace'], env: { LOG_LEVEL: 'warn' } })
const bare = await startBare()
try {
  const ws = stack.services.workspace!.url
  const auth = { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' }
  await fetch(`${ws}/api/workspaces`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ id: 'bench', name: 'Bench' }),
  })
  for (let i = 0; i < 20; i++)
    await fetch(`${ws}/api/workspaces/bench/team-members`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ login: `seed-${i}` }),
    })

  const against = { url: bare.url }
  const health = await measure('workspace GET /health', { url: `${ws}/health` }, { against })
  const snapshot = await measure(
    'workspace GET snapshot',
    { url: `${ws}/api/workspaces/bench/snapshot`, headers: auth },
    { against },
  )
  const write = await measure(
    'workspace POST team-member',
    {
      url: `${ws}/api/workspaces/bench/team-members`,
      method: 'POST',
      headers: auth,
      // Each body names a new login: a repeated one would be answered 409 and measure nothing.
      bodyTemplate: '{"login":"w-{n}"}',
      status: 201,
    },
    { against },
  )
  report([
    { result: health, target: 0.9 },
    { result: snapshot, target: 0.5 },
    { result: write, target: 0.04 },
  ])
} finally {
  bare.stop()
  await stack.stop()
}
