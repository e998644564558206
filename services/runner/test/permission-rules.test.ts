import { describe, expect, test } from 'bun:test'
import { sessionRules } from '../src/opencode/config'

describe('a thread policy as opencode session rules', () => {
  test('work from before policies adds no rules (the server config allows everything)', () => {
    expect(sessionRules(undefined)).toBeUndefined()
  })

  test('the catch-all first, named kinds after it, the bash allowlist after bash, denied questions last', () => {
    const rules = sessionRules({
      rules: { bash: 'ask', '*': 'deny', edit: 'allow' },
      bashAllow: ['git status*', 'ls*'],
      questions: 'deny',
    })
    // opencode takes the last matching rule: each later line overrides the ones before it.
    expect(rules).toEqual([
      { permission: '*', pattern: '*', action: 'deny' },
      { permission: 'bash', pattern: '*', action: 'ask' },
      { permission: 'edit', pattern: '*', action: 'allow' },
      { permission: 'bash', pattern: 'git status*', action: 'allow' },
      { permission: 'bash', pattern: 'ls*', action: 'allow' },
      { permission: 'question', pattern: '*', action: 'deny' },
    ])
  })
})
