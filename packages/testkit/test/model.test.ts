import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { DRAFT_COMMENT_FENCE } from '../src/model/scripts'
import { SCRIPTED_MODEL_ID, type ScriptedModel, startScriptedModel } from '../src/model/server'

let model: ScriptedModel
const KEY = 'sk-test-key'
const TOOLS = [{ type: 'function', function: { name: 'write', parameters: {} } }]

beforeAll(async () => {
  model = await startScriptedModel({ apiKey: KEY })
})
afterAll(() => model.stop())

const chat = (body: unknown, key = KEY) =>
  fetch(`${model.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

type Chunk = {
  choices: Array<{
    delta: {
      content?: string
      tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }>
    }
    finish_reason: string | null
  }>
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

/** Reads an SSE answer the way an OpenAI client does and reassembles text and tool calls. */
async function readStream(res: Response) {
  const raw = await res.text()
  const data = raw
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true)
      return frame.slice(6)
    })
  expect(data.at(-1)).toBe('[DONE]')
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk)
  let text = ''
  const calls: Array<{ id: string; name: string; arguments: string }> = []
  let finish: string | null = null
  for (const c of chunks) {
    const choice = c.choices[0]
    if (!choice) continue
    text += choice.delta.content ?? ''
    for (const tc of choice.delta.tool_calls ?? []) {
      if (tc.id) calls[tc.index] = { id: tc.id, name: tc.function.name ?? '', arguments: '' }
      calls[tc.index]!.arguments += tc.function.arguments
    }
    finish = choice.finish_reason ?? finish
  }
  return { text, calls, finish, usage: chunks.find((c) => c.usage)?.usage, chunks: chunks.length }
}

const system = {
  role: 'system',
  content: 'You are an agent.\nWorking directory: /work/tree\nPlatform: linux',
}
const writePrompt = { role: 'user', content: 'Create a file named notes/hello.txt that says hello world.' }

describe('scripted model', () => {
  test('lists its model and refuses a wrong or missing key', async () => {
    const ok = await fetch(`${model.url}/models`, { headers: { authorization: `Bearer ${KEY}` } })
    expect(await ok.json()).toMatchObject({ object: 'list', data: [{ id: SCRIPTED_MODEL_ID }] })
    const wrong = await chat({ messages: [writePrompt] }, 'sk-wrong')
    expect(wrong.status).toBe(401)
    expect(((await wrong.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')
    expect((await fetch(`${model.url}/models`)).status).toBe(401)
  })

  test('streams a write tool call in pieces, then answers briefly once the tool result is back', async () => {
    const first = await chat({
      stream: true,
      stream_options: { include_usage: true },
      tools: TOOLS,
      messages: [system, writePrompt],
    })
    expect(first.headers.get('content-type')).toBe('text/event-stream')
    const turn1 = await readStream(first)
    expect(turn1.finish).toBe('tool_calls')
    expect(turn1.calls).toHaveLength(1)
    expect(turn1.calls[0]!.name).toBe('write')
    expect(JSON.parse(turn1.calls[0]!.arguments)).toEqual({
      filePath: '/work/tree/notes/hello.txt',
      content: 'hello world\n',
    })
    // Arguments arrive over several chunks, as OpenAI streams them.
    expect(turn1.chunks).toBeGreaterThan(4)
    expect(turn1.usage!.total_tokens).toBe(turn1.usage!.prompt_tokens + turn1.usage!.completion_tokens)

    const turn2 = await readStream(
      await chat({
        stream: true,
        tools: TOOLS,
        messages: [
          system,
          writePrompt,
          { role: 'assistant', content: null, tool_calls: [{ id: turn1.calls[0]!.id }] },
          { role: 'tool', tool_call_id: turn1.calls[0]!.id, content: 'Wrote file successfully.' },
        ],
      }),
    )
    expect(turn2.finish).toBe('stop')
    expect(turn2.calls).toHaveLength(0)
    expect(turn2.text).toBe('Created `notes/hello.txt`.')
    expect(turn2.usage).toBeUndefined()
  })

  test('answers without streaming in the chat.completion shape', async () => {
    const res = await chat({ tools: TOOLS, messages: [system, writePrompt] })
    const body = (await res.json()) as {
      object: string
      choices: Array<{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> } }>
      usage: { total_tokens: number }
    }
    expect(body.object).toBe('chat.completion')
    expect(body.choices[0]!.message.tool_calls[0]!.function.name).toBe('write')
    expect(JSON.parse(body.choices[0]!.message.tool_calls[0]!.function.arguments).content).toBe(
      'hello world\n',
    )
    expect(body.usage.total_tokens).toBeGreaterThan(0)
  })

  test('runs a command, then quotes its output', async () => {
    const prompt = { role: 'user', content: 'Please Run the command `ls -la` in the repo.' }
    const turn1 = await readStream(await chat({ stream: true, tools: TOOLS, messages: [system, prompt] }))
    expect(turn1.calls[0]!.name).toBe('bash')
    expect(JSON.parse(turn1.calls[0]!.arguments).command).toBe('ls -la')
    const turn2 = await readStream(
      await chat({
        stream: true,
        tools: TOOLS,
        messages: [
          system,
          prompt,
          { role: 'assistant', content: '' },
          { role: 'tool', content: 'total 0\nREADME.md' },
        ],
      }),
    )
    expect(turn2.text).toContain('README.md')
  })

  test('a draft comment is a fenced block the runner can lift out', async () => {
    const turn = await readStream(
      await chat({
        stream: true,
        tools: TOOLS,
        messages: [system, { role: 'user', content: 'Draft a comment saying thanks for the report.' }],
      }),
    )
    expect(turn.text).toContain(`\`\`\`${DRAFT_COMMENT_FENCE}\nthanks for the report\n\`\`\``)
  })

  test('a request without tools (a title) never gets a tool call; unknown prompts get the fallback', async () => {
    const title = await readStream(await chat({ stream: true, messages: [system, writePrompt] }))
    expect(title.calls).toHaveLength(0)
    expect(title.text).toContain('Create a file named')
    const other = await readStream(
      await chat({ stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'What is up?' }] }),
    )
    expect(other.text).toContain('scripted demo model')
    expect(model.requests.at(-1)).toMatchObject({ script: 'fallback', turn: 0, stream: true, token: KEY })
  })

  test('added scripts take precedence; content arrays are read; past the last turn it is done', async () => {
    model.addScript({
      name: 'custom',
      pattern: /custom (\w+)/,
      turns: [({ match }) => ({ text: `custom answer ${match[1]}` })],
    })
    const content = [{ type: 'text', text: 'run custom thing' }]
    const turn1 = await readStream(
      await chat({ stream: true, tools: TOOLS, messages: [{ role: 'user', content }] }),
    )
    expect(turn1.text).toBe('custom answer thing')
    const turn2 = await readStream(
      await chat({
        stream: true,
        tools: TOOLS,
        messages: [
          { role: 'user', content },
          { role: 'assistant', content: 'custom answer thing' },
        ],
      }),
    )
    expect(turn2.text).toBe('Done.')
  })

  test('a body without messages is a 400 in the OpenAI error shape', async () => {
    const res = await chat({ model: 'x' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('messages')
  })
})
