/** One event of opencode's `/event` stream; only the fields the runner reads are typed. */
export type OpencodeEvent = { type: string; properties: Record<string, unknown> }

/** One rule of opencode's permission ruleset. */
export type PermissionRule = { permission: string; pattern: string; action: 'allow' | 'ask' | 'deny' }

export type OpencodeClient = ReturnType<typeof opencodeClient>

/** The slice of opencode's server API the runner uses, with its basic-auth password (over `unix` when given). */
export function opencodeClient(url: string, password: string, unix?: string) {
  const via = unix ? { unix } : {}
  const headers = {
    authorization: `Basic ${btoa(`opencode:${password}`)}`,
    'content-type': 'application/json',
  }
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      ...via,
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`opencode ${method} ${path.split('/')[1]}: ${res.status}`)
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }
  return {
    /** `permission`: the session's ruleset, evaluated after the agent's (its last matching rule wins). */
    createSession: (title: string, permission?: PermissionRule[]) =>
      call<{ id: string }>('POST', '/session', { title, ...(permission ? { permission } : {}) }),
    prompt: (
      sessionId: string,
      text: string,
      model: { providerID: string; modelID: string },
      agent?: string,
    ) =>
      call<void>('POST', `/session/${sessionId}/prompt_async`, {
        parts: [{ type: 'text', text }],
        model,
        ...(agent ? { agent } : {}),
      }),
    abort: (sessionId: string) => call<boolean>('POST', `/session/${sessionId}/abort`),
    fork: (sessionId: string, messageID?: string) =>
      call<{ id: string }>('POST', `/session/${sessionId}/fork`, messageID ? { messageID } : {}),
    replyPermission: (requestId: string, reply: 'once' | 'always' | 'reject', message?: string) =>
      call<boolean>('POST', `/permission/${encodeURIComponent(requestId)}/reply`, {
        reply,
        ...(message ? { message } : {}),
      }),
    replyQuestion: (requestId: string, answers: string[][]) =>
      call<boolean>('POST', `/question/${encodeURIComponent(requestId)}/reply`, { answers }),
    rejectQuestion: (requestId: string) =>
      call<boolean>('POST', `/question/${encodeURIComponent(requestId)}/reject`),
    agents: () => call<Array<{ name: string }>>('GET', '/agent'),
    /** The ids of a session's messages, oldest first. */
    messageIds: async (sessionId: string) =>
      (await call<Array<{ info: { id: string } }>>('GET', `/session/${sessionId}/message`)).map(
        (m) => m.info.id,
      ),
    /**
     * Follows `/event` (SSE) until `signal` aborts; resolves once the server confirms the subscription so
     * no event of a prompt sent afterwards is missed.
     */
    async events(onEvent: (e: OpencodeEvent) => void, signal: AbortSignal): Promise<void> {
      const res = await fetch(`${url}/event`, { ...via, headers, signal })
      if (!res.ok || !res.body) throw new Error(`opencode /event: ${res.status}`)
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      let connected: () => void = () => {}
      const ready = new Promise<void>((resolve) => {
        connected = resolve
      })
      void (async () => {
        let buffer = ''
        try {
          for (;;) {
            const { value, done } = await reader.read()
            if (done) return
            buffer += decoder.decode(value, { stream: true })
            let cut = buffer.indexOf('\n\n')
            while (cut >= 0) {
              const frame = buffer.slice(0, cut)
              buffer = buffer.slice(cut + 2)
              cut = buffer.indexOf('\n\n')
              const data = frame
                .split('\n')
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).trimStart())
                .join('\n')
              if (!data) continue
              const event = JSON.parse(data) as OpencodeEvent
              if (event.type === 'server.connected') connected()
              onEvent(event)
            }
          }
        } catch {
          // Aborted or the server went away; the run notices through the process exit.
        }
      })()
      await ready
    },
  }
}
