import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { EnvError, parseEnv } from '../src/env'

describe('env errors', () => {
  const schema = Type.Object({
    BOSUN_BOOTSTRAP_API_KEY: Type.Optional(Type.String({ pattern: '^psnip_[A-Za-z0-9]{20,}$' })),
    GITHUB_WEBHOOK_SECRET: Type.String({ minLength: 40 }),
    PORT: Type.Integer({ default: 3000 }),
  })
  const message = (source: Record<string, string>) => {
    try {
      parseEnv(schema, source)
    } catch (err) {
      if (err instanceof EnvError) return err.message
    }
    throw new Error('expected an EnvError')
  }

  test('a secret-like variable is named but its value is never echoed', () => {
    const leaked = 'psnip_short-but-real-secret!'
    const text = message({ BOSUN_BOOTSTRAP_API_KEY: leaked, GITHUB_WEBHOOK_SECRET: 'hunter2' })
    expect(text).toContain('BOSUN_BOOTSTRAP_API_KEY')
    expect(text).toContain('GITHUB_WEBHOOK_SECRET')
    expect(text).not.toContain(leaked)
    expect(text).not.toContain('hunter2')
  })

  test('other variables still show the value that was refused', () => {
    expect(message({ GITHUB_WEBHOOK_SECRET: 'x'.repeat(40), PORT: 'abc' })).toContain('"abc"')
  })
})
