import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { t } from 'elysia'
import { defineEvent } from '../src/envelope'
import { ErrorCode, errorStatus } from '../src/errors'
import { githubWebhook } from '../src/github'
import { ALL_SCOPES, hasScopes, roleScopes } from '../src/scopes'
import { subjects, token } from '../src/subjects'
import { GitHubLogin, WorkspaceId } from '../src/workspace'

describe('errors', () => {
  test('every code has exactly one HTTP status, and the table matches DESIGN.md', () => {
    const codes = ErrorCode.anyOf.map((c) => c.const)
    expect(Object.keys(errorStatus).sort()).toEqual([...codes].sort())
    expect(errorStatus).toMatchObject({
      invalid_request: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
    })
    expect(errorStatus).toMatchObject({
      conflict: 409,
      payload_too_large: 413,
      rate_limited: 429,
      internal: 500,
    })
  })
})

describe('subjects', () => {
  test('live under the prefix and never carry separators or wildcards from data', () => {
    const s = subjects('bosun')
    expect(s.evt('workspace', 'member', 'added')).toBe('bosun.evt.workspace.member.added')
    expect(s.svc('auth', 'jwks')).toBe('bosun.svc.auth.jwks')
    expect(token('a.b *>')).toBe('a_b___')
    const def = githubWebhook
    const tail = def.subject({
      deliveryId: 'd',
      event: 'issues',
      action: 'opened.>',
      redelivery: false,
      payload: {},
    })
    expect(tail).toBe('github.issues.opened__')
    expect(def.subject({ deliveryId: 'd', event: 'ping', redelivery: false, payload: {} })).toBe(
      'github.ping.none',
    )
    expect(defineEvent('x.y', t.Object({})).subject({})).toBe('x.y')
  })
})

describe('scopes', () => {
  test('admins hold every scope; members more than viewers; viewers only reads', () => {
    expect([...roleScopes.admin].sort()).toEqual([...ALL_SCOPES].sort())
    expect(hasScopes(roleScopes.member, roleScopes.viewer)).toBe(true)
    expect(roleScopes.viewer.every((s) => s.endsWith(':read'))).toBe(true)
    expect(roleScopes.member).not.toContain('team_shared_creds:write')
  })
})

describe('identifiers', () => {
  test('logins and workspace ids follow GitHub and slug rules', () => {
    for (const ok of ['octocat', 'a', 'a-b-c', 'A1']) expect(Value.Check(GitHubLogin, ok)).toBe(true)
    for (const bad of ['-a', 'a-', 'a--b', 'a_b', 'x'.repeat(40), ''])
      expect(Value.Check(GitHubLogin, bad)).toBe(false)
    expect(Value.Check(WorkspaceId, 'pydantic-ai')).toBe(true)
    expect(Value.Check(WorkspaceId, 'Pydantic AI')).toBe(false)
  })
})
