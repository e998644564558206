import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import Ajv, { type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { importPKCS8, SignJWT } from 'jose'
import { type GitHubEmulator, startGitHubEmulator } from '../src/github/emulator'

/** GitHub's official description, read once for this file (13 MB). */
const DOC_PATH = join(import.meta.dir, '../node_modules/@octokit/openapi/generated/api.github.com.json')
type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: unknown }> }>>
  'x-webhooks': Record<string, unknown>
}
let doc: Doc
let ajv: Ajv
const compiled = new Map<string, ValidateFunction>()

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

function validatorFor(ref: string): ValidateFunction {
  let v = compiled.get(ref)
  if (!v) {
    v = ajv.compile({ $ref: `gh${ref}` })
    compiled.set(ref, v)
  }
  return v
}

/** The 200/201 schema of an operation, as a JSON pointer into the document (following a response `$ref`). */
function responseSchemaRef(apiPath: string, method: string, status: number): string {
  const op = doc.paths[apiPath]?.[method.toLowerCase()]
  if (!op) throw new Error(`no operation ${method} ${apiPath} in GitHub's OpenAPI`)
  const response = op.responses[String(status)]
  if (!response) throw new Error(`${method} ${apiPath} has no ${status} response in GitHub's OpenAPI`)
  const base =
    response.$ref ?? `#/${pointer('paths', apiPath, method.toLowerCase(), 'responses', String(status))}`
  return `${base}/content/application~1json/schema`
}

let gh: GitHubEmulator
let user: string
let ghs: string
let jwt: string
const REPO = 'demo-org/demo-repo'
const validated = new Set<string>()

/**
 * OpenAPI 3.0's `nullable` as GitHub uses it, made JSON Schema: null joins an `enum`, and a `nullable`
 * without `type` (next to `allOf`/`$ref`) becomes `anyOf: [null, …]`. Nothing else is relaxed.
 */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema)
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = nullableToJsonSchema(v)
  if (out.nullable !== true) return out
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
  if (out.type !== undefined) return out
  const { nullable: _, ...rest } = out
  return { anyOf: [{ type: 'null' }, rest] }
}

beforeAll(async () => {
  doc = nullableToJsonSchema(await Bun.file(DOC_PATH).json()) as Doc
  ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false })
  addFormats(ajv)
  for (const f of ['int32', 'int64', 'double', 'repo.nwo', 'binary', 'timestamp', 'uri-template'])
    ajv.addFormat(f, true)
  ajv.addSchema(doc as object, 'gh')
  gh = await startGitHubEmulator({ seed: 'demo' })
  user = gh.state.tokenFor('octo-dev')
  ghs = gh.state.installationToken(REPO)
  const key = await importPKCS8(gh.app.privateKey, 'RS256')
  jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(gh.app.appId)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 30)
    .setExpirationTime('9m')
    .sign(key)
})
afterAll(() => gh.stop())

/** Calls the emulator and validates the answer against GitHub's schema for `apiPath`. */
async function check(
  method: string,
  apiPath: string,
  path: string,
  opts: { body?: unknown; as?: string; status?: number } = {},
): Promise<Record<string, unknown> & unknown[]> {
  const status = opts.status ?? (method === 'POST' ? 201 : 200)
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: {
      authorization: `token ${opts.as ?? user}`,
      ...(opts.body ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body ? JSON.stringify(opts.body) : undefined,
  })
  const text = await res.text()
  expect({ path, status: res.status, text: res.status === status ? '' : text }).toEqual({
    path,
    status,
    text: '',
  })
  validated.add(`${method} ${apiPath}`)
  if (status === 204) return [] as unknown as Record<string, unknown> & unknown[]
  const body = JSON.parse(text)
  const validate = validatorFor(responseSchemaRef(apiPath, method, status))
  const ok = validate(body)
  expect({
    path,
    errors: ok ? [] : validate.errors?.filter((e) => e.keyword !== 'anyOf').slice(0, 8),
  }).toEqual({ path, errors: [] })
  return body
}

const R = '/repos/{owner}/{repo}'
const P = `/repos/${REPO}`

describe("responses match GitHub's OpenAPI", () => {
  test('users, orgs, repositories', async () => {
    await check('GET', '/user', '/user')
    await check('GET', '/users/{username}', '/users/octo-new')
    await check('GET', '/orgs/{org}', '/orgs/demo-org')
    await check('GET', R, P)
    await check('GET', '/orgs/{org}/repos', '/orgs/demo-org/repos')
    await check('GET', '/users/{username}/repos', '/users/demo-org/repos')
    await check('GET', '/user/repos', '/user/repos')
    await check('POST', '/user/repos', '/user/repos', { body: { name: 'mine' } })
    await check('POST', '/orgs/{org}/repos', '/orgs/demo-org/repos', { body: { name: 'second' } })
    await check('GET', '/rate_limit', '/rate_limit')
  })

  test('issues, comments, labels, assignees', async () => {
    await check('GET', `${R}/issues`, `${P}/issues?state=all&per_page=100`)
    const issue = await check('POST', `${R}/issues`, `${P}/issues`, {
      body: { title: 'Validated', body: 'x', labels: ['bug'], assignees: ['octo-dev'] },
    })
    const n = issue.number as number
    await check('GET', `${R}/issues/{issue_number}`, `${P}/issues/${n}`)
    await check('PATCH', `${R}/issues/{issue_number}`, `${P}/issues/${n}`, { body: { title: 'Validated!' } })
    const comment = await check('POST', `${R}/issues/{issue_number}/comments`, `${P}/issues/${n}/comments`, {
      body: { body: 'hi' },
    })
    await check('GET', `${R}/issues/{issue_number}/comments`, `${P}/issues/${n}/comments`)
    await check('GET', `${R}/issues/comments`, `${P}/issues/comments`)
    await check('GET', `${R}/issues/comments/{comment_id}`, `${P}/issues/comments/${comment.id}`)
    await check('PATCH', `${R}/issues/comments/{comment_id}`, `${P}/issues/comments/${comment.id}`, {
      body: { body: 'hello' },
    })
    await check('GET', `${R}/labels`, `${P}/labels`)
    await check('POST', `${R}/labels`, `${P}/labels`, { body: { name: 'triage', color: 'ededed' } })
    await check('GET', `${R}/labels/{name}`, `${P}/labels/triage`)
    await check('POST', `${R}/issues/{issue_number}/labels`, `${P}/issues/${n}/labels`, {
      body: { labels: ['triage'] },
      status: 200,
    })
    await check('PUT', `${R}/issues/{issue_number}/labels`, `${P}/issues/${n}/labels`, {
      body: { labels: ['bug', 'triage'] },
    })
    await check('GET', `${R}/issues/{issue_number}/labels`, `${P}/issues/${n}/labels`)
    await check('DELETE', `${R}/issues/{issue_number}/labels/{name}`, `${P}/issues/${n}/labels/triage`)
    await check('DELETE', `${R}/issues/{issue_number}/labels`, `${P}/issues/${n}/labels`, { status: 204 })
    await check('POST', `${R}/issues/{issue_number}/assignees`, `${P}/issues/${n}/assignees`, {
      body: { assignees: ['octo-new'] },
    })
    await check('DELETE', `${R}/issues/{issue_number}/assignees`, `${P}/issues/${n}/assignees`, {
      body: { assignees: ['octo-new'] },
    })
  })

  test('pull requests, reviews, review comments, requested reviewers, merge', async () => {
    await check('GET', `${R}/pulls`, `${P}/pulls?state=all`)
    const duplicate = await fetch(`${gh.url}${P}/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${user}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Again', head: 'fix/login-validation', base: 'main' }),
    })
    expect(duplicate.status).toBe(422)
    gh.state.addPull(REPO, { title: 'From a branch', head: 'feat/validated', author: 'octo-admin' })
    const open = gh.state.requireRepo(REPO)
    const number = [...open.issues.values()].find((i) => i.title === 'From a branch')!.number
    await check('GET', `${R}/pulls/{pull_number}`, `${P}/pulls/${number}`)
    await check('PATCH', `${R}/pulls/{pull_number}`, `${P}/pulls/${number}`, { body: { body: 'edited' } })
    await check(
      'POST',
      `${R}/pulls/{pull_number}/requested_reviewers`,
      `${P}/pulls/${number}/requested_reviewers`,
      {
        body: { reviewers: ['octo-new'] },
      },
    )
    await check(
      'GET',
      `${R}/pulls/{pull_number}/requested_reviewers`,
      `${P}/pulls/${number}/requested_reviewers`,
    )
    await check(
      'DELETE',
      `${R}/pulls/{pull_number}/requested_reviewers`,
      `${P}/pulls/${number}/requested_reviewers`,
      { body: { reviewers: ['octo-new'] } },
    )
    const review = await check('POST', `${R}/pulls/{pull_number}/reviews`, `${P}/pulls/${number}/reviews`, {
      body: { event: 'COMMENT', body: 'hm', comments: [{ path: 'README.md', line: 1, body: 'here' }] },
      status: 200,
    })
    await check('GET', `${R}/pulls/{pull_number}/reviews`, `${P}/pulls/${number}/reviews`)
    await check(
      'GET',
      `${R}/pulls/{pull_number}/reviews/{review_id}`,
      `${P}/pulls/${number}/reviews/${review.id}`,
    )
    const comment = await check(
      'POST',
      `${R}/pulls/{pull_number}/comments`,
      `${P}/pulls/${number}/comments`,
      {
        body: { body: 'nit', path: 'README.md', line: 1 },
      },
    )
    await check('POST', `${R}/pulls/{pull_number}/comments`, `${P}/pulls/${number}/comments`, {
      body: { body: 'reply', in_reply_to: comment.id },
    })
    await check('GET', `${R}/pulls/{pull_number}/comments`, `${P}/pulls/${number}/comments`)
    await check('GET', `${R}/pulls/comments`, `${P}/pulls/comments`)
    await check('PUT', `${R}/pulls/{pull_number}/merge`, `${P}/pulls/${number}/merge`, { body: {} })
    await check('GET', `${R}/pulls/{pull_number}/merge`, `${P}/pulls/${number}/merge`, { status: 204 })
  })

  test('a pull request created through the API', async () => {
    gh.state.addPull(REPO, { title: 'seed branch', head: 'feat/api-created' })
    const repo = gh.state.requireRepo(REPO)
    const seeded = [...repo.issues.values()].find((i) => i.title === 'seed branch')!
    gh.state.setIssueState(repo, seeded, 'closed')
    const pr = await check('POST', `${R}/pulls`, `${P}/pulls`, {
      body: { title: 'Via the API', head: 'feat/api-created', base: 'main' },
    })
    expect(pr).toMatchObject({ user: { login: 'octo-dev' }, head: { ref: 'feat/api-created' } })
  })

  test('check runs and commit statuses', async () => {
    const run = await check('POST', `${R}/check-runs`, `${P}/check-runs`, {
      body: { name: 'bosun', head_sha: 'main', status: 'in_progress', output: { title: 't', summary: 's' } },
      as: ghs,
    })
    await check('GET', `${R}/check-runs/{check_run_id}`, `${P}/check-runs/${run.id}`)
    await check('PATCH', `${R}/check-runs/{check_run_id}`, `${P}/check-runs/${run.id}`, {
      body: { conclusion: 'success' },
      as: ghs,
    })
    await check('GET', `${R}/commits/{ref}/check-runs`, `${P}/commits/fix/login-validation/check-runs`)
    await check('POST', `${R}/statuses/{sha}`, `${P}/statuses/main`, {
      body: { state: 'pending', context: 'x' },
    })
    await check('GET', `${R}/commits/{ref}/statuses`, `${P}/commits/main/statuses`)
    await check('GET', `${R}/commits/{ref}/status`, `${P}/commits/main/status`)
  })

  test('commits and branches from the real git repository', async () => {
    const commits = (await check(
      'GET',
      `${R}/commits`,
      `${P}/commits?sha=docs/release-process`,
    )) as unknown as {
      sha: string
    }[]
    expect(commits.length).toBeGreaterThanOrEqual(3)
    const one = await check('GET', `${R}/commits/{ref}`, `${P}/commits/docs/release-process`)
    expect(one.sha).toBe(commits[0]!.sha)
    const pull = gh.state.requirePull(REPO, 10)
    const inPull = (await check(
      'GET',
      `${R}/pulls/{pull_number}/commits`,
      `${P}/pulls/10/commits`,
    )) as unknown as {
      sha: string
    }[]
    expect(inPull.map((c) => c.sha).at(-1)).toBe(pull.pull.head.sha)
    await check('GET', `${R}/branches`, `${P}/branches`)
    await check('GET', `${R}/branches/{branch}`, `${P}/branches/main`)
  })

  test('search', async () => {
    const q = encodeURIComponent(`repo:${REPO} is:pr is:open`)
    await check('GET', '/search/issues', `/search/issues?q=${q}&sort=updated`)
    await check('GET', '/search/issues', `/search/issues?q=${encodeURIComponent(`repo:${REPO} is:issue`)}`)
  })

  test('GitHub App', async () => {
    await check('GET', '/app', '/app', { as: jwt })
    await check('GET', '/app/installations', '/app/installations', { as: jwt })
    const inst = await check('GET', `${R}/installation`, `${P}/installation`, { as: jwt })
    await check('GET', '/orgs/{org}/installation', '/orgs/demo-org/installation', { as: jwt })
    await check('GET', '/app/installations/{installation_id}', `/app/installations/${inst.id}`, { as: jwt })
    const token = await check(
      'POST',
      '/app/installations/{installation_id}/access_tokens',
      `/app/installations/${inst.id}/access_tokens`,
      { as: jwt, body: { repositories: ['demo-repo'] } },
    )
    await check('GET', '/installation/repositories', '/installation/repositories', {
      as: token.token as string,
    })
    await check('DELETE', '/installation/token', '/installation/token', {
      as: token.token as string,
      status: 204,
    })
  })
})

describe("webhook payloads match GitHub's OpenAPI", () => {
  test('every kind the emulator sends', async () => {
    const receiver = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () => new Response(null, { status: 204 }),
    })
    gh.setWebhook(`http://127.0.0.1:${receiver.port}/`, 's')
    const start = gh.deliveries.length
    const call = (method: string, path: string, body: unknown, as = user) =>
      fetch(`${gh.url}${P}${path}`, {
        method,
        headers: { authorization: `token ${as}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const issue = (await (
      await call('POST', '/issues', { title: 'hooks', labels: ['bug'], assignees: ['octo-new'] })
    ).json()) as {
      number: number
    }
    await call('PATCH', `/issues/${issue.number}`, { title: 'hooks!', state: 'closed' })
    await call('PATCH', `/issues/${issue.number}`, { state: 'open' })
    await call('DELETE', `/issues/${issue.number}/labels/bug`, {})
    await call('DELETE', `/issues/${issue.number}/assignees`, { assignees: ['octo-new'] })
    await call('POST', `/issues/${issue.number}/comments`, { body: 'c' })
    const pr = gh.state.addPull(
      REPO,
      { title: 'hooked pr', head: 'feat/hooked', author: 'octo-admin' },
      { notify: true },
    )
    await call('POST', `/pulls/${pr.number}/requested_reviewers`, { reviewers: ['octo-new'] })
    await call('DELETE', `/pulls/${pr.number}/requested_reviewers`, { reviewers: ['octo-new'] })
    await call('POST', `/issues/${pr.number}/labels`, { labels: ['bug'] })
    await call('PATCH', `/pulls/${pr.number}`, { title: 'hooked pr!' })
    await call('POST', `/pulls/${pr.number}/reviews`, { event: 'APPROVE' })
    await call('POST', `/pulls/${pr.number}/comments`, { body: 'x', path: 'README.md', line: 1 })
    const thread = gh.state.requirePull(REPO, pr.number).pull.threads[0]!
    gh.state.resolveThread(REPO, pr.number, thread, true, { notify: true })
    gh.state.resolveThread(REPO, pr.number, thread, false, { notify: true })
    gh.state.pushToPull(REPO, pr.number, { 'more.md': 'more\n' }, { notify: true })
    const draft = gh.state.addPull(REPO, { title: 'draft', head: 'feat/hooked-draft', draft: true })
    gh.state.markReady(REPO, draft.number, { notify: true })
    await call('POST', '/check-runs', { name: 'c', head_sha: pr.pull!.head.sha, status: 'queued' }, ghs)
    const run = gh.state.requireRepo(REPO).checkRuns.at(-1)!
    await call('PATCH', `/check-runs/${run.id}`, { conclusion: 'failure' }, ghs)
    await call('POST', `/statuses/${pr.pull!.head.sha}`, { state: 'success', context: 'ci' })
    await call('PUT', `/pulls/${pr.number}/merge`, {})
    await gh.webhooksSettled()
    receiver.stop(true)

    const sent = gh.deliveries.slice(start)
    const kinds = new Set<string>()
    for (const d of sent) {
      const kind = `${d.event.replace(/_/g, '-')}${d.action ? `-${d.action.replace(/_/g, '-')}` : ''}`
      kinds.add(kind)
      const validate = validatorFor(
        `#/${pointer('x-webhooks', kind, 'post', 'requestBody', 'content', 'application/json', 'schema')}`,
      )
      const ok = validate(JSON.parse(d.body))
      expect({
        kind,
        errors: ok ? [] : validate.errors?.filter((e) => e.keyword !== 'anyOf').slice(0, 8),
      }).toEqual({ kind, errors: [] })
    }
    expect([...kinds].sort()).toEqual(
      [
        'check-run-completed',
        'check-run-created',
        'issue-comment-created',
        'issues-assigned',
        'issues-closed',
        'issues-edited',
        'issues-labeled',
        'issues-opened',
        'issues-reopened',
        'issues-unassigned',
        'issues-unlabeled',
        'pull-request-closed',
        'pull-request-edited',
        'pull-request-labeled',
        'pull-request-opened',
        'pull-request-ready-for-review',
        'pull-request-review-comment-created',
        'pull-request-review-request-removed',
        'pull-request-review-requested',
        'pull-request-review-submitted',
        'pull-request-review-thread-resolved',
        'pull-request-review-thread-unresolved',
        'pull-request-synchronize',
        'push',
        'status',
      ].sort(),
    )
  })

  test('every implemented REST route was validated above', () => {
    expect(validated.size).toBeGreaterThanOrEqual(50)
  })
})
