/**
 * Review benchmark, against the real stack (runner with opencode in its sandbox, scripted model, GitHub emulator):
 * threads that each wrote a file wait for review; each is approved in turn and timed from the approve request to
 * the thread's `published` status (commit, push over git smart HTTP, pull request opened, recorded), read by
 * polling the thread every 20 ms. The runner is warm (the threads ran before). It reports, it does not assert.
 * `bun tests/bench/review.ts`
 */
import { createAicaClient } from '@bosun/clients/aica'
import { createWorkspaceClient } from '@bosun/clients/workspace'
import { startScriptedModel } from '@bosun/testkit/model/server'
import { signIn } from '@bosun/testkit/session'
import { startStack } from '@bosun/testkit/stack'
import { waitFor } from '@bosun/testkit/wait'

const THREADS = Number(process.env.BOSUN_BENCH_REVIEW_THREADS ?? 12)
const WS = 'bench-review'
const REPO = 'demo-org/demo-repo'
const KEY = 'sk-bench-review'
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

const model = await startScriptedModel({ apiKey: KEY })
const stack = await startStack({
  services: ['auth', 'workspace', 'aica', 'webhooks', 'runner', 'gateway'],
  env: { BOSUN_ADMIN_LOGINS: 'boss', BOSUN_AICA_CONCURRENCY: '4' },
})
try {
  stack.github!.state.addUser('boss')
  const token = await signIn(stack.publicUrl, 'boss')
  const headers = { authorization: `Bearer ${token}` }
  const ws = createWorkspaceClient({ baseUrl: stack.publicUrl, headers })
  await ws.POST('/api/workspaces', { body: { id: WS, name: 'Bench review' } })
  await ws.POST('/api/workspaces/{id}/repositories', {
    params: { path: { id: WS } },
    body: { fullName: REPO, isDefaultForAgents: true },
  })
  const aica = createAicaClient({ baseUrl: stack.publicUrl, headers })
  await aica.PUT('/api/team-shared-creds', {
    body: { workspace: WS, kind: 'openai-compatible', apiKey: KEY, baseURL: model.url },
  })
  const ids: string[] = []
  for (let i = 0; i < THREADS; i++) {
    const res = await aica.POST('/api/agent-sessions', {
      body: { workspace: WS, prompt: `Create a file named bench-${i}.txt that says run ${i}.` },
    })
    ids.push(res.data!.thread.id)
  }
  const statusOf = async (id: string) =>
    (await aica.GET('/api/agent-sessions/{id}', { params: { path: { id }, query: { limit: 1 } } })).data
      ?.thread.status
  for (const id of ids)
    await waitFor(async () => ((await statusOf(id)) === 'awaiting_review' ? true : undefined), 600_000, id)

  const times: number[] = []
  for (const id of ids) {
    const t0 = performance.now()
    const res = await aica.POST('/api/agent-sessions/{id}/review', {
      params: { path: { id } },
      body: { approved: true },
    })
    if (res.response.status !== 200) throw new Error(`approve answered ${res.response.status}`)
    for (;;) {
      const status = await statusOf(id)
      if (status === 'published') break
      if (status === 'merge_failed') throw new Error(`publishing ${id} failed`)
      await Bun.sleep(20)
    }
    times.push(performance.now() - t0)
  }
  console.log(
    `approve -> PR opened, ${THREADS} threads one after another: p50 ${pct(times, 50).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms (target p50 <= 3000 ms)`,
  )
} finally {
  await stack.stop()
  await model.stop()
}
