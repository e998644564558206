import { fallbackScript, type Script, type ScriptTurn } from './scripts'

/** The parts of an OpenAI chat request the scripted model reads. */
export type ChatMessage = {
  role: string
  content?: string | Array<{ type?: string; text?: string }> | null
  tool_calls?: unknown[]
}
export type ChatRequest = {
  model?: string
  messages?: ChatMessage[]
  stream?: boolean
  stream_options?: { include_usage?: boolean }
  tools?: unknown[]
}

export type Played = { script: string; turn: number; answer: ScriptTurn }

export const textOf = (m: ChatMessage | undefined): string => {
  if (!m?.content) return ''
  if (typeof m.content === 'string') return m.content
  return m.content.map((p) => p.text ?? '').join('\n')
}

const WORKING_DIRECTORY = /Working directory:\s*(\S+)/

/**
 * Picks the script and the turn for a request. A request without tools (opencode's title and summary
 * calls) gets a short text answer, never a tool call, so it cannot disturb the agent's own turns.
 */
export function play(scripts: readonly Script[], req: ChatRequest): Played {
  const messages = req.messages ?? []
  const lastUser = messages.findLastIndex((m) => m.role === 'user')
  const prompt = textOf(messages[lastUser])
  const after = messages.slice(lastUser + 1)
  const turn = after.filter((m) => m.role === 'assistant').length
  const script = scripts.find((s) => s.pattern.test(prompt)) ?? fallbackScript
  const match = prompt.match(script.pattern) ?? ([prompt] as RegExpMatchArray)

  if (!req.tools?.length) {
    const title = prompt.replace(/\s+/g, ' ').trim().slice(0, 48) || 'Conversation'
    return { script: script.name, turn, answer: { text: title } }
  }
  const step = script.turns[turn]
  if (!step) return { script: script.name, turn, answer: { text: 'Done.' } }
  const system = messages
    .filter((m) => m.role === 'system')
    .map(textOf)
    .join('\n')
  const toolResults = after.filter((m) => m.role === 'tool').map(textOf)
  return {
    script: script.name,
    turn,
    answer: step({ match, cwd: system.match(WORKING_DIRECTORY)?.[1], toolResults }),
  }
}

/** A rough token count (4 characters a token) so usage numbers move with the conversation. */
export const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4))
