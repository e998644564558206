import type { ItemBody } from '@bosun/contracts/relay'
import type { OpencodeEvent } from '../opencode/client'
import { draftsIn } from './drafts'

export type TranslatorSink = {
  threadOf(sessionId: string): string | undefined
  item(threadId: string, key: string, body: ItemBody, messageId?: string): void
  delta(threadId: string, key: string, text: string): void
  fileChanges(threadId: string, key: string, files: string[]): void
  permission(threadId: string, requestId: string): void
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
        const what = (p.permission ?? p.action ?? 'permission') as string
        const on = ((p.patterns ?? p.resources ?? []) as string[]).join(', ')
        once(threadId, `perm:${p.id}`, {
          kind: 'permission_request',
          requestId: String(p.id),
          tool: what,
          description: `${what}${on ? `: ${on}` : ''}`.slice(0, 4000),
        })
        sink.permission(threadId, String(p.id))
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
