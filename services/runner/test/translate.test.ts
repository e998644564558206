import { describe, expect, test } from 'bun:test'
import type { HumanAsk } from '@bosun/contracts/permissions'
import type { ItemBody } from '@bosun/contracts/relay'
import { bundlePath } from '../src/run/bundle'
import { draftsIn, issueIn } from '../src/run/drafts'
import { redact } from '../src/run/redact'
import { createTranslator } from '../src/run/translate'

const S = 'ses_1'

function harness() {
  const items: Array<{ key: string; body: ItemBody }> = []
  const deltas: Array<{ key: string; text: string }> = []
  const idle: string[] = []
  const permissions: Array<[string, HumanAsk]> = []
  const files: string[][] = []
  const handle = createTranslator({
    threadOf: (s) => (s === S ? 'thr_aaaaaaaa' : undefined),
    item: (_t, key, body) => items.push({ key, body }),
    delta: (_t, key, text) => deltas.push({ key, text }),
    fileChanges: (_t, _key, f) => files.push(f),
    ask: (_t, id, ask) => permissions.push([id, ask]),
    idle: (t) => idle.push(t),
    draftTarget: () => ({ repo: 'demo-org/demo-repo', issueNumber: 7 }),
    isHistory: (messageId) => messageId === 'msg_copied',
  })
  const part = (p: Record<string, unknown>) =>
    handle({ type: 'message.part.updated', properties: { part: { sessionID: S, ...p } } })
  const message = (id: string, role: string, extra: Record<string, unknown> = {}) =>
    handle({ type: 'message.updated', properties: { info: { id, sessionID: S, role, ...extra } } })
  return { handle, part, message, items, deltas, idle, permissions, files }
}

describe('opencode events -> thread items', () => {
  test('a turn becomes tool call, result, file change, text and usage, keyed by opencode ids, each once', () => {
    const h = harness()
    h.message('msg_u', 'user')
    h.part({ id: 'prt_u', messageID: 'msg_u', type: 'text', text: 'Create a file', time: { end: 1 } })
    h.message('msg_a', 'assistant')
    const tool = { id: 'prt_t', messageID: 'msg_a', type: 'tool', tool: 'write', callID: 'call_1' }
    h.part({ ...tool, state: { status: 'pending', input: {} } })
    h.part({ ...tool, state: { status: 'running', input: { filePath: '/w/a.txt' } } })
    h.part({ ...tool, state: { status: 'completed', input: { filePath: '/w/a.txt' }, output: 'Wrote file' } })
    h.part({ ...tool, state: { status: 'completed', input: { filePath: '/w/a.txt' }, output: 'Wrote file' } })
    h.part({ id: 'prt_p', messageID: 'msg_a', type: 'patch', files: ['/w/a.txt'] })
    h.handle({
      type: 'message.part.delta',
      properties: { sessionID: S, messageID: 'msg_a', partID: 'prt_x', field: 'text', delta: 'Crea' },
    })
    h.handle({
      type: 'message.part.delta',
      properties: { sessionID: S, messageID: 'msg_a', partID: 'prt_x', field: 'text', delta: 'ted.' },
    })
    h.part({ id: 'prt_x', messageID: 'msg_a', type: 'text', text: 'Created.', time: { end: 2 } })
    h.message('msg_a', 'assistant', { time: { completed: 3 }, tokens: { input: 120, output: 8 }, cost: 0 })
    h.message('msg_a', 'assistant', { time: { completed: 3 }, tokens: { input: 120, output: 8 }, cost: 0 })
    h.handle({ type: 'session.idle', properties: { sessionID: S } })
    h.handle({ type: 'session.idle', properties: { sessionID: 'ses_other' } })

    expect(h.items.map((i) => i.key)).toEqual(['prt_t:call', 'prt_t:result', 'prt_x', 'usage:msg_a'])
    expect(h.items.map((i) => i.body.kind)).toEqual(['tool_call', 'tool_result', 'assistant_text', 'usage'])
    expect(h.items[0]!.body).toEqual({
      kind: 'tool_call',
      callId: 'call_1',
      tool: 'write',
      input: { filePath: '/w/a.txt' },
    })
    expect(h.items[3]!.body).toEqual({ kind: 'usage', inputTokens: 120, outputTokens: 8 })
    expect(h.deltas.map((d) => d.text)).toEqual(['Crea', 'Created.'])
    expect(h.files).toEqual([['/w/a.txt']])
    expect(h.idle).toEqual(['thr_aaaaaaaa'])
  })

  test('messages copied into a forked session are not sent again', () => {
    const h = harness()
    h.message('msg_copied', 'assistant', { time: { completed: 1 }, tokens: { input: 5, output: 5 } })
    h.part({ id: 'prt_old', messageID: 'msg_copied', type: 'text', text: 'old', time: { end: 1 } })
    h.message('msg_new', 'assistant')
    h.part({ id: 'prt_new', messageID: 'msg_new', type: 'text', text: 'new', time: { end: 2 } })
    expect(h.items.map((i) => i.key)).toEqual(['prt_new'])
  })

  test('a draft-comment block becomes a draft item for the named or the prompt issue; errors and asks too', () => {
    const h = harness()
    h.message('msg_a', 'assistant')
    h.part({
      id: 'prt_d',
      messageID: 'msg_a',
      type: 'text',
      time: { end: 1 },
      text: 'Drafts:\n```draft-comment\nThanks!\n```\n```draft-comment other/repo#3\nSee #3\n```',
    })
    h.part({
      ...{ id: 'prt_f', messageID: 'msg_a', type: 'tool', tool: 'bash', callID: 'c2' },
      state: { status: 'error', input: {}, error: 'boom' },
    })
    h.handle({
      type: 'permission.asked',
      properties: { id: 'per_1', sessionID: S, permission: 'external_directory', patterns: ['/etc/*'] },
    })
    h.handle({
      type: 'session.error',
      properties: { sessionID: S, error: { name: 'APIError', data: { message: 'bad key' } } },
    })
    const drafts = h.items.filter((i) => i.body.kind === 'draft_comment').map((i) => i.body)
    expect(drafts).toEqual([
      { kind: 'draft_comment', repo: 'demo-org/demo-repo', issueNumber: 7, body: 'Thanks!' },
      { kind: 'draft_comment', repo: 'other/repo', issueNumber: 3, body: 'See #3' },
    ])
    expect(h.items.find((i) => i.key === 'prt_f:result')!.body).toMatchObject({
      isError: true,
      output: 'boom',
    })
    h.handle({
      type: 'question.asked',
      properties: {
        id: 'que_1',
        sessionID: S,
        questions: [
          { question: 'Which?', header: 'Pick', options: [{ label: 'a', description: 'A' }], evil: 1 },
        ],
      },
    })
    // aica records the request items; the translator only hands the asks over.
    expect(h.items.find((i) => i.body.kind === 'permission_request')).toBeUndefined()
    expect(h.permissions).toEqual([
      [
        'per_1',
        {
          kind: 'permission',
          permission: 'external_directory',
          patterns: ['/etc/*'],
          description: 'external_directory: /etc/*',
        },
      ],
      [
        'que_1',
        {
          kind: 'question',
          questions: [{ question: 'Which?', header: 'Pick', options: [{ label: 'a', description: 'A' }] }],
        },
      ],
    ])
    expect(h.items.find((i) => i.body.kind === 'error')!.body).toEqual({
      kind: 'error',
      code: 'APIError',
      message: 'bad key',
    })
  })
})

describe('drafts, bundle paths, redaction', () => {
  test('draft blocks and the issue a prompt names', () => {
    expect(draftsIn('```draft-comment\n\n```')).toEqual([])
    expect(issueIn('Fix demo-org/demo-repo#12 please', 'x/y')).toEqual({
      repo: 'demo-org/demo-repo',
      issueNumber: 12,
    })
    expect(issueIn('see https://github.com/a/b/issues/5', 'x/y')).toEqual({ repo: 'a/b', issueNumber: 5 })
    expect(issueIn('Issue #9: crash', 'x/y')).toEqual({ repo: 'x/y', issueNumber: 9 })
    expect(issueIn('no issue here', 'x/y')).toBeUndefined()
  })

  test('bundle items land where opencode reads them and never outside the worktree', () => {
    const item = (kind: 'files' | 'agents' | 'commands' | 'skills', path: string) => ({
      kind,
      name: 'n',
      path,
      content: '',
    })
    expect(bundlePath(item('agents', 'reviewer.md'))).toBe('.opencode/agent/reviewer.md')
    expect(bundlePath(item('commands', 'triage.md'))).toBe('.opencode/command/triage.md')
    expect(bundlePath(item('skills', 'lint/SKILL.md'))).toBe('.opencode/skill/lint/SKILL.md')
    expect(bundlePath(item('files', 'AGENTS.md'))).toBe('AGENTS.md')
    expect(bundlePath(item('agents', '.opencode/agent/x.md'))).toBe('.opencode/agent/x.md')
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', '.git/hooks/pre-commit', '.git'])
      expect(bundlePath(item('files', bad))).toBeUndefined()
  })

  test('known secrets are redacted everywhere in an item; short values are left alone', () => {
    const body = {
      kind: 'tool_result',
      output: 'GH_TOKEN=ghs_abcdefgh123 x=short',
      nested: ['ghs_abcdefgh123'],
    }
    expect(redact(body, ['ghs_abcdefgh123', 'short'])).toEqual({
      kind: 'tool_result',
      output: 'GH_TOKEN=[redacted] x=short',
      nested: ['[redacted]'],
    })
  })
})
