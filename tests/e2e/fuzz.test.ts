import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type ServiceName, type Stack, startStack } from '@bosun/testkit/stack'

/**
 * A hostile caller's pass over every route every service documents: each path parameter, query parameter and
 * body gets forged cursors, NULs, control characters, huge and deep values. Nothing is a 5xx, every refusal is
 * the one error shape, and what is stored comes back exactly as sent.
 */
let stack: Stack
const SERVICES: ServiceName[] = ['auth', 'workspace', 'dashboard', 'aica', 'webhooks']
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

const PATH_VALUES = [
  'a%00b',
  '%00',
  '%01%1F%7F',
  'x'.repeat(3000),
  '..%2F..%2Fetc%2Fpasswd',
  '%F0%9F%92%A9',
  '-5',
  '99999999999999999999999',
  'undefined',
  '%E2%80%AE',
]
const CURSORS = [
  b64({ o: 1e300 }),
  b64({ o: 2 ** 60 }),
  b64({ o: -1 }),
  b64({ o: '5' }),
  b64({ s: 'received_at:desc', k: [1e300, 1] }),
  b64({ s: 'received_at:desc', k: [] }),
  b64([[[[[]]]]]),
  'not-a-cursor',
  '%00',
]
const QUERY_VALUES = ['%00', 'a%00b', '%01%02', 'x'.repeat(3000), '-1', '1e309', 'NaN', '', '%5B%5D']
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
const BODIES = [
  '{}',
  '[]',
  'null',
  '"\\u0000"',
  deep(100_000),
  `{"a":${deep(10_000)}}`,
  '{"id":"a\\u0000b","name":"a\\u0000b","prompt":"hi\\u0000there","login":"a\\u0000"}',
  '{"id":"\\u0001\\u001f","name":"\\u0001\\u001f\\u007f","prompt":"\\u0001","login":"\\u0085"}',
  JSON.stringify({ id: 'x'.repeat(100_000), name: 'x'.repeat(100_000), prompt: 1, login: [] }),
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
]

type Operation = {
  parameters?: Array<{ in: string; name: string }>
  requestBody?: unknown
}
type Spec = { paths: Record<string, Record<string, Operation>> }

beforeAll(async () => {
  stack = await startStack({ services: [...SERVICES], env: { BOSUN_ADMIN_LOGINS: 'octo-admin' } })
  // Something in each list, so that list reads reach SQL with whatever cursor they are given.
  const headers = { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' }
  const ws = await fetch(`${stack.services.workspace!.url}/api/workspaces`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ id: 'fuzz', name: 'Fuzz' }),
  })
  expect(ws.status).toBe(201)
  const repo = await fetch(`${stack.services.workspace!.url}/api/workspaces/fuzz/repositories`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ fullName: 'demo-org/demo-repo', isDefaultForAgents: true }),
  })
  expect(repo.status).toBe(201)
  const wt = await fetch(`${stack.services.aica!.url}/api/worktrees`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ workspace: 'fuzz' }),
  })
  expect(wt.status).toBe(201)
}, 90_000)

afterAll(async () => {
  await stack.stop()
})

/** Every request the pass sends to one service: each parameter fuzzed alone, the others plausible. */
function requestsFor(spec: Spec): Array<{ method: string; path: string; body?: string }> {
  const out: Array<{ method: string; path: string; body?: string }> = []
  for (const [template, ops] of Object.entries(spec.paths)) {
    if (!template.startsWith('/api/') || template.endsWith('/realtime') || template.includes('/relay'))
      continue
    for (const [method, op] of Object.entries(ops)) {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)
      const plain = (p: string) => names.reduce((t, n) => t.replace(`{${n}}`, p), template)
      for (const name of names)
        for (const v of PATH_VALUES)
          out.push({
            method,
            path: names.reduce((t, n) => t.replace(`{${n}}`, n === name ? v : 'x1'), template),
          })
      for (const q of (op.parameters ?? []).filter((p) => p.in === 'query'))
        for (const v of q.name === 'cursor' ? CURSORS : QUERY_VALUES)
          out.push({ method, path: `${plain('x1')}?${q.name}=${v}` })
      if (op.requestBody) for (const body of BODIES) out.push({ method, path: plain('x1'), body })
    }
  }
  return out
}

test('no route answers a hostile parameter with a 5xx, and every refusal is the one error shape', async () => {
  const failures: string[] = []
  let sent = 0
  for (const service of SERVICES) {
    const base = stack.services[service]!.url
    const spec = (await (await fetch(`${base}/swagger/json`)).json()) as Spec
    for (const r of requestsFor(spec)) {
      const res = await fetch(`${base}${r.path}`, {
        method: r.method.toUpperCase(),
        headers: {
          authorization: `Bearer ${stack.bootstrapKey}`,
          ...(r.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: r.body,
      })
      sent++
      const text = await res.text()
      const what = `${service} ${r.method.toUpperCase()} ${r.path.slice(0, 120)} ${r.body?.slice(0, 60) ?? ''}`
      if (res.status >= 500) failures.push(`${res.status} ${what}: ${text.slice(0, 200)}`)
      else if (res.status >= 400) {
        const body = JSON.parse(text) as { error?: unknown; message?: unknown }
        if (typeof body.error !== 'string' || typeof body.message !== 'string')
          failures.push(`${res.status} not the error shape ${what}: ${text.slice(0, 200)}`)
      }
    }
  }
  expect(sent).toBeGreaterThan(1000)
  expect(failures).toEqual([])
}, 300_000)

test('control characters are stored exactly as sent; a NUL is refused, never cut off', async () => {
  const headers = { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' }
  const workspaces = `${stack.services.workspace!.url}/api/workspaces`
  const id = `w${crypto.randomUUID().slice(0, 8)}`
  const name = 'tab\there\u0001\u001f\u007f\u0085 \u202e\u{1F4A9}'
  const created = await fetch(workspaces, { method: 'POST', headers, body: JSON.stringify({ id, name }) })
  expect(created.status).toBe(201)
  const list = (await (await fetch(`${workspaces}?query=${id}`, { headers })).json()) as {
    results: Array<{ id: string; name: string }>
  }
  expect(list.results.find((w) => w.id === id)?.name).toBe(name)

  const cut = await fetch(workspaces, {
    method: 'POST',
    headers,
    body: JSON.stringify({ id: `${id}n`, name: 'before\u0000after' }),
  })
  expect(cut.status).toBe(400)
  expect(await cut.json()).toMatchObject({ error: 'invalid_request', details: [{ path: '/name' }] })
  const none = (await (await fetch(`${workspaces}?query=${id}n`, { headers })).json()) as {
    results: unknown[]
  }
  expect(none.results).toEqual([])

  for (const list of ['/api/agent-sessions', '/api/worktrees']) {
    const res = await fetch(`${stack.services.aica!.url}${list}?cursor=${b64({ o: 1e300 })}`, { headers })
    expect(res.status).toBe(400)
  }
})
