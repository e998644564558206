import type { HumanAsk } from '@bosun/contracts/permissions'
import type { ItemBody } from '@bosun/contracts/relay'
import type { OpencodeEvent } from '../opencode/client'
import { draftsIn } from './drafts'

export type TranslatorSink = {
  threadOf(sessionId: string): string | undefined
  item(threadId: string, key: string, body: ItemBody, messageId?: string): void
  delta(threadId: string, key: string, text: string): void
  fileChanges(threadId: string, key: string, files: string[]): void
  /** The agent asks a person (a permission under `ask`, or a question); aica records the item. */
  ask(threadId: string, requestId: string, ask: HumanAsk): void
  idle(threadId: string): void
  draftTarget(threadId: string): { repo: string; issueNumber: number } | undefined
  /** Messages copied into a forked session: their items are already the thread's, so they are skipped. */
  isHistory(messageId: string): boolean
}

type Part = {
  id: string
  sessionID: string
  messageID: string
  type: string
  text?: string
  synthetic?: boolean
  time?: { end?: number }
  tool?: string
  callID?: string
  state?: { status: string; input?: unknown; output?: string; error?: string }
  files?: string[]
}
type MessageInfo = {
  id: string
  sessionID: string
  role: string
  time?: { completed?: number }
  tokens?: { input?: number; output?: number; cache?: { read?: number; write?: number } }
  cost?: number
}

/**
 * Turns opencode's event stream into thread items. Keys are opencode's own ids (part, message, request),
 * so a repeated or replayed event becomes the same item, and aica stores it once.
 */
export function createTranslator(sink: TranslatorSink) {
  const roles = new Map<string, string>()
  const partials = new Map<string, string>()
  const emitted = new Set<string>()

  const once = (threadId: string, key: string, body: ItemBody, messageId?: string) => {
    if (emitted.has(key)) return
    emitted.add(key)
    sink.item(threadId, key, body, messageId)
  }

  const onPart = (threadId: string, part: Part) => {
    const role = roles.get(part.messageID)
    if (part.type === 'text' && role === 'assistant' && !part.synthetic && part.time?.end) {
      partials.delete(part.id)
      once(threadId, part.id, { kind: 'assistant_text', text: part.text ?? '' }, part.messageID)
      const target = sink.draftTarget(threadId)
      draftsIn(part.text ?? '').forEach((draft, i) => {
        const to = draft.target ?? target
        if (to)
          once(
            threadId,
            `${part.id}:draft:${i}`,
            { kind: 'draft_comment', ...to, body: draft.body },
            part.messageID,
          )
      })
      return
    }
    if (part.type === 'reasoning' && part.time?.end && part.text)
      return once(threadId, part.id, { kind: 'reasoning', text: part.text }, part.messageID)
    if (part.type === 'tool' && part.state && part.callID && part.tool) {
      const { status, input, output, error } = part.state
      if (status === 'pending') return
      once(
        threadId,
        `${part.id}:call`,
        { kind: 'tool_call', callId: part.callID, tool: part.tool, input: input ?? {} },
        part.messageID,
      )
      if (status === 'completed')
        once(
          threadId,
          `${part.id}:result`,
          { kind: 'tool_result', callId: part.callID, output: output ?? '' },
          part.messageID,
        )
      if (status === 'error')
        once(
          threadId,
          `${part.id}:result`,
          { kind: 'tool_result', callId: part.callID, output: error ?? 'failed', isError: true },
          part.messageID,
        )
      return
    }
    if (part.type === 'patch' && part.files?.length && !emitted.has(part.id)) {
      emitted.add(part.id)
      sink.fileChanges(threadId, part.id, part.files)
    }
  }

  return (event: OpencodeEvent) => {
    const p = event.properties
    switch (event.type) {
      case 'message.updated': {
        const info = p.info as MessageInfo
        roles.set(info.id, info.role)
        if (sink.isHistory(info.id)) return
        const threadId = sink.threadOf(info.sessionID)
        if (threadId && info.role === 'assistant' && info.time?.completed && info.tokens)
          once(threadId, `usage:${info.id}`, {
            kind: 'usage',
            inputTokens: Math.max(0, Math.round(info.tokens.input ?? 0)),
            outputTokens: Math.max(0, Math.round(info.tokens.output ?? 0)),
            ...(info.tokens.cache?.read
              ? { cacheReadTokens: Math.max(0, Math.round(info.tokens.cache.read)) }
              : {}),
            ...(info.tokens.cache?.write
              ? { cacheWriteTokens: Math.max(0, Math.round(info.tokens.cache.write)) }
              : {}),
            ...(info.cost ? { costUsd: info.cost } : {}),
          })
        return
      }
      case 'message.part.updated': {
        const part = p.part as Part
        const threadId = sink.threadOf(part.sessionID)
        if (threadId && !sink.isHistory(part.messageID)) onPart(threadId, part)
        return
      }
      case 'message.part.delta': {
        const threadId = sink.threadOf(String(p.sessionID))
        if (!threadId || p.field !== 'text' || roles.get(String(p.messageID)) !== 'assistant') return
        const key = String(p.partID)
        const text = (partials.get(key) ?? '') + String(p.delta ?? '')
        partials.set(key, text)
        sink.delta(threadId, key, text)
        return
      }
      case 'permission.asked':
      case 'permission.v2.asked': {
        const threadId = sink.threadOf(String(p.sessionID))
        if (!threadId) return
        const what = String(p.permission ?? p.action ?? 'permission').slice(0, 200)
        const patterns = ((p.patterns ?? p.resources ?? []) as unknown[]).map((x) => String(x).slice(0, 4000))
        const on = patterns.join(', ')
        sink.ask(threadId, String(p.id), {
          kind: 'permission',
          permission: what,
          patterns: patterns.slice(0, 50),
          description: `${what}${on ? `: ${on}` : ''}`.slice(0, 4000),
        })
        return
      }
      case 'question.asked': {
        const threadId = sink.threadOf(String(p.sessionID))
        if (!threadId) return
        sink.ask(threadId, String(p.id), { kind: 'question', questions: questionsOf(p.questions) })
        return
      }
      case 'session.error': {
        const threadId = sink.threadOf(String(p.sessionID))
        const error = p.error as { name?: string; data?: { message?: string } } | undefined
        if (threadId && error)
          once(threadId, `error:${Date.now()}`, {
            kind: 'error',
            code: (error.name ?? 'opencode_error').slice(0, 100),
            message: (error.data?.message ?? 'opencode reported an error').slice(0, 4000),
          })
        return
      }
      case 'session.idle': {
        const threadId = sink.threadOf(String(p.sessionID))
        if (threadId) sink.idle(threadId)
        return
      }
    }
  }
}

type RawQuestion = { question?: unknown; header?: unknown; options?: unknown; multiple?: unknown }

/** opencode's question tool input, cut to what the contract holds (the agent wrote it: it is untrusted). */
function questionsOf(raw: unknown): Extract<HumanAsk, { kind: 'question' }>['questions'] {
  const list = Array.isArray(raw) ? (raw as RawQuestion[]).slice(0, 20) : []
  const out = list.map((q) => ({
    question: String(q.question ?? '').slice(0, 4000),
    ...(q.header ? { header: String(q.header).slice(0, 200) } : {}),
    options: (Array.isArray(q.options)
      ? (q.options as Array<{ label?: unknown; description?: unknown }>)
      : []
    )
      .slice(0, 50)
      .map((o) => ({
        label: String(o.label ?? '').slice(0, 500),
        ...(o.description ? { description: String(o.description).slice(0, 2000) } : {}),
      })),
    ...(q.multiple === true ? { multiple: true } : {}),
  }))
  return out.length ? out : [{ question: '(the agent asked without a question)', options: [] }]
}
