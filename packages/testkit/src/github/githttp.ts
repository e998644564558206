import { credential, principalOf } from './auth'
import { branches, gitEnv } from './git'
import { canSee, HttpError, type Principal, tokenMay } from './http'
import type { GitHubState } from './state'

const GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/

export const isGitPath = (path: string) => GIT_PATH.test(path)

const challenge = () =>
  new Response('Authentication required\n', {
    status: 401,
    headers: { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' },
  })

/**
 * Smart HTTP through `git http-backend` (CGI): `git clone <emulator>/<owner>/<repo>.git` with
 * `x-access-token:<token>` basic auth, as on github.com. Pushes move pull request heads.
 */
export async function serveGit(state: GitHubState, req: Request, url: URL, ip: string) {
  const [, owner, name, rest] = GIT_PATH.exec(url.pathname)!
  let principal: Principal
  try {
    principal = await principalOf(state, credential(req), ip)
  } catch (err) {
    if (err instanceof HttpError) return challenge()
    throw err
  }
  const repo = state.repo(`${owner}/${name}`)
  const push = rest === 'git-receive-pack' || url.searchParams.get('service') === 'git-receive-pack'
  if (!repo || !canSee(principal, repo))
    return principal.kind === 'anonymous'
      ? challenge()
      : new Response('Repository not found.\n', { status: 404 })
  if (push && principal.kind !== 'user' && principal.kind !== 'installation') return challenge()
  if (principal.kind === 'installation' && !tokenMay(principal.token, 'contents', push ? 'write' : 'read'))
    return new Response('Permission to this repository denied to the token.\n', { status: 403 })
  const user = principal.kind === 'user' || principal.kind === 'installation' ? principal.user : undefined
  const before = push ? branches(repo.gitDir) : undefined

  const proc = Bun.spawn(['git', 'http-backend'], {
    env: gitEnv({
      GIT_PROJECT_ROOT: state.gitRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${repo.id}.git/${rest}`,
      REQUEST_METHOD: req.method,
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers.get('content-type') ?? '',
      REMOTE_USER: user?.login ?? '',
      REMOTE_ADDR: ip,
      ...(req.headers.get('content-encoding')
        ? { HTTP_CONTENT_ENCODING: req.headers.get('content-encoding')! }
        : {}),
      ...(req.headers.get('git-protocol') ? { GIT_PROTOCOL: req.headers.get('git-protocol')! } : {}),
    }),
    stdin: req.body ?? 'ignore',
    stdout: 'pipe',
    stderr: 'ignore',
  })
  if (before && user)
    void proc.exited.then((code) => {
      if (code === 0) state.recordPush(repo, before, { notify: true, sender: user })
    })
  return cgiResponse(proc.stdout)
}

/** Splits the CGI output into its headers (with `Status:`) and the streamed body. */
async function cgiResponse(stdout: ReadableStream<Uint8Array>): Promise<Response> {
  const reader = stdout.getReader()
  let buf = new Uint8Array(0)
  let split = -1
  let sepLen = 0
  while (split < 0) {
    const { value, done } = await reader.read()
    if (done) break
    const next = new Uint8Array(buf.length + value.length)
    next.set(buf)
    next.set(value, buf.length)
    buf = next
    const text = new TextDecoder('latin1').decode(buf)
    const crlf = text.indexOf('\r\n\r\n')
    const lf = text.indexOf('\n\n')
    if (crlf >= 0 && (lf < 0 || crlf < lf)) [split, sepLen] = [crlf, 4]
    else if (lf >= 0) [split, sepLen] = [lf, 2]
  }
  if (split < 0) return new Response('git http-backend failed\n', { status: 500 })
  const headers = new Headers()
  let status = 200
  for (const line of new TextDecoder('latin1').decode(buf.subarray(0, split)).split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i < 0) continue
    const key = line.slice(0, i).trim()
    const value = line.slice(i + 1).trim()
    if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200
    else headers.append(key, value)
  }
  const rest = buf.subarray(split + sepLen)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (rest.length) controller.enqueue(rest)
    },
    async pull(controller) {
      const { value, done } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
  })
  return new Response(body, { status, headers })
}
