import { type ChatRequest, estimateTokens, play, textOf } from './conversation'
import { DEMO_SCRIPTS, type Script, type ScriptTurn } from './scripts'

export const SCRIPTED_MODEL_ID = 'bosun-scripted'

export type ModelRequestLog = {
  path: string
  stream: boolean
  script?: string
  turn?: number
  /** The bearer token the caller sent, for tests that check which key reached the provider. */
  token?: string
  /** The system prompt, for tests that check what the agent was told (instructions, agent prompts). */
  system?: string
  /** The user messages of the conversation, oldest first (a forked session carries its source's). */
  users?: string[]
}

export type ScriptedModel = {
  /** Base URL as OpenAI clients take it, ending in `/v1`. */
  url: string
  port: number
  requests: ModelRequestLog[]
  /** Adds scripts tried before the built-in ones. */
  addScript(script: Script): void
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export type ScriptedModelOptions = {
  port?: number
  hostname?: string
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string
  scripts?: Script[]
  /** Pause between streamed chunks, so a turn takes visible time. */
  chunkDelayMs?: number
}

const openAiError = (status: number, message: string, type: string) =>
  Response.json({ error: { message, type, param: null, code: null } }, { status })

/** Splits text into word-sized pieces the way a model streams them. */
const pieces = (text: string) => text.match(/\S+\s*|\s+/g) ?? []

/**
 * A real OpenAI-compatible HTTP server that plays scripts instead of thinking, so the real opencode
 * binary does real work offline: `GET /v1/models`, `POST /v1/chat/completions` streamed (SSE) or not,
 * with tool calls streamed as OpenAI streams them.
 */
export async function startScriptedModel(opts: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const scripts: Script[] = [...(opts.scripts ?? []), ...DEMO_SCRIPTS]
  const requests: ModelRequestLog[] = []
  const delay = opts.chunkDelayMs ?? 0

  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname: opts.hostname ?? '127.0.0.1',
    idleTimeout: 0,
    fetch: async (req) => {
      const url = new URL(req.url)
      const path = url.pathname.replace(/^\/v1(?=\/)/, '')
      const token = req.headers.get('authorization')?.replace(/^Bearer\s+/i, '')
      if (opts.apiKey && token !== opts.apiKey) {
        requests.push({ path: url.pathname, stream: false, token })
        return openAiError(401, 'Incorrect API key provided.', 'invalid_request_error')
      }
      if (path === '/models' && req.method === 'GET') {
        requests.push({ path: url.pathname, stream: false, token })
        return Response.json({
          object: 'list',
          data: [{ id: SCRIPTED_MODEL_ID, object: 'model', created: 0, owned_by: 'bosun' }],
        })
      }
      if (path !== '/chat/completions' || req.method !== 'POST')
        return openAiError(404, `Unknown request URL: ${req.method} ${url.pathname}`, 'invalid_request_error')

      const body = (await req.json().catch(() => null)) as ChatRequest | null
      if (!body || !Array.isArray(body.messages))
        return openAiError(400, "'messages' is a required property", 'invalid_request_error')
      const played = play(scripts, body)
      const stream = body.stream === true
      const system = body.messages
        .filter((m) => m.role === 'system')
        .map(textOf)
        .join('\n')
      const users = body.messages.filter((m) => m.role === 'user').map(textOf)
      requests.push({
        path: url.pathname,
        stream,
        script: played.script,
        turn: played.turn,
        token,
        system,
        users,
      })
      const model = body.model ?? SCRIPTED_MODEL_ID
      const usage = {
        prompt_tokens: estimateTokens(body.messages.map(textOf).join('\n')),
        completion_tokens: estimateTokens(JSON.stringify(played.answer)),
        total_tokens: 0,
      }
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
      if (!stream) return Response.json(completion(model, played.answer, usage))
      return new Response(sse(model, played.answer, usage, body.stream_options?.include_usage, delay), {
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      })
    },
  })

  const stop = async () => {
    await server.stop(true)
  }
  return {
    url: `http://${server.hostname}:${server.port}/v1`,
    port: server.port ?? 0,
    requests,
    addScript: (script) => scripts.unshift(script),
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number }

const callId = () => `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`
const finishReason = (turn: ScriptTurn) => (turn.toolCalls?.length ? 'tool_calls' : 'stop')

function completion(model: string, turn: ScriptTurn, usage: Usage) {
  return {
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.text ?? null,
          ...(turn.toolCalls?.length
            ? {
                tool_calls: turn.toolCalls.map((c) => ({
                  id: callId(),
                  type: 'function',
                  function: { name: c.name, arguments: JSON.stringify(c.arguments) },
                })),
              }
            : {}),
        },
        finish_reason: finishReason(turn),
      },
    ],
    usage,
  }
}

/** The chunk sequence OpenAI sends: role, content pieces, tool call header then argument pieces, finish, usage. */
function sse(
  model: string,
  turn: ScriptTurn,
  usage: Usage,
  includeUsage: boolean | undefined,
  delay: number,
) {
  const id = `chatcmpl-${crypto.randomUUID()}`
  const created = Math.floor(Date.now() / 1000)
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })
  const events: unknown[] = [chunk({ role: 'assistant', content: '' })]
  for (const piece of pieces(turn.text ?? '')) events.push(chunk({ content: piece }))
  turn.toolCalls?.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [{ index, id: callId(), type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    )
    const args = JSON.stringify(call.arguments)
    for (let at = 0; at < args.length; at += 24)
      events.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(at, at + 24) } }] }))
  })
  events.push(chunk({}, finishReason(turn)))
  if (includeUsage) events.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })

  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const event of events) {
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`))
        if (delay > 0) await Bun.sleep(delay)
      }
      controller.enqueue(encoder.encode('data: [DONE]\n\n'))
      controller.close()
    },
  })
}
