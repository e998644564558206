import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type Stack, startStack } from '@bosun/testkit/stack'
import { type Supervisor, supervise } from '@bosun/testkit/supervise'
import { waitFor } from '@bosun/testkit/wait'

/** What `npm run dev` does when a service dies: the supervisor starts it again and says so. */
let stack: Stack
let supervisor: Supervisor
const log: string[] = []

beforeAll(async () => {
  stack = await startStack({ services: ['webhooks'], github: false })
  supervisor = supervise([stack.services.webhooks!], { log: (line) => log.push(line), minBackoffMs: 20 })
}, 60_000)

afterAll(async () => {
  supervisor.stop()
  await stack.stop()
})

test('a service killed twice comes back each time, with a longer backoff, and the log says so', async () => {
  const webhooks = stack.services.webhooks!
  for (const round of [1, 2]) {
    const before = webhooks.pid()!
    process.kill(before, 'SIGKILL')
    await waitFor(
      async () =>
        webhooks.pid() !== before && (await fetch(`${webhooks.url}/ready`).catch(() => null))?.status === 200,
      30_000,
      `webhooks back after kill ${round}`,
    )
    await waitFor(() => log.some((l) => l.startsWith(`webhooks restarted (pid ${webhooks.pid()})`)), 5000)
  }
  const exits = log.filter((l) => l.startsWith('webhooks exited'))
  expect(exits).toHaveLength(2)
  expect(exits[0]).toContain('restarting in 20 ms')
  expect(exits[1]).toContain('restarting in 40 ms')
})
