import { forwardHeaders } from '../proxy/headers'

const LEGACY = /^\/agent-sessions\/(thr_[A-Za-z0-9]{8,40})$/

/**
 * `/agent-sessions/:thrId`, the session page's old address: 301 to `/agent-sessions/worktrees/:wtId/threads/:thrId`.
 * The thread is looked up at aica with the caller's own credentials, so a thread they may not see (or that does
 * not exist) is the app's 404 page either way, and a caller not signed in gets the shell, which sends them to
 * sign in and back here. Answers undefined for every other path.
 */
export function legacySessionRedirect(aicaUrl: string, shell: () => Promise<Response>) {
  return async (
    req: Request,
    pathname: string,
    ctx: { clientIp?: string; requestId: string },
  ): Promise<Response | undefined> => {
    const id = LEGACY.exec(pathname)?.[1]
    if (!id || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined
    const headers = forwardHeaders(req, ctx.clientIp, ctx.requestId)
    headers.set('accept', 'application/json')
    let res: Response
    try {
      res = await fetch(`${aicaUrl}/api/agent-sessions/${id}?limit=1`, { headers, redirect: 'manual' })
    } catch {
      return Response.json(
        { error: 'unavailable', message: 'The agent sessions service is unavailable' },
        { status: 503, headers: { 'x-request-id': ctx.requestId } },
      )
    }
    if (res.ok) {
      const { thread } = (await res.json()) as { thread: { id: string; worktreeId: string } }
      const search = new URL(req.url).search
      return new Response(null, {
        status: 301,
        headers: {
          location: `/agent-sessions/worktrees/${thread.worktreeId}/threads/${thread.id}${search}`,
          'x-request-id': ctx.requestId,
        },
      })
    }
    await res.body?.cancel()
    const page = await shell()
    if (res.status === 401) return page
    return new Response(page.body, { status: 404, headers: page.headers })
  }
}
