import type { Static, TSchema } from '@sinclair/typebox'
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler'
// Elysia registers the string formats (date-time, email, uri, ...) that our contracts use.
import 'elysia'
import { invalid } from './errors'

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

function checker<S extends TSchema>(schema: S): TypeCheck<S> {
  let check = compiled.get(schema)
  if (!check) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  return check as TypeCheck<S>
}

export function isValid<S extends TSchema>(schema: S, value: unknown): value is Static<S> {
  return checker(schema).Check(value)
}

/** Checks a value against its contract; receivers call this before they trust a message. */
export function assertValid<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  const check = checker(schema)
  if (check.Check(value)) return value
  const details = [...check.Errors(value)]
    .slice(0, 20)
    .map((e) => ({ path: e.path || '/', message: e.message }))
  throw invalid(`${what} does not match its schema`, details)
}

const decoder = new TextDecoder()

/** The value of a JSON text (or its UTF-8 bytes), or `undefined` when it is not JSON. */
export function parseJson(text: string | Uint8Array): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : decoder.decode(text))
  } catch {
    return undefined
  }
}

/** A message received as JSON, checked against its contract: `undefined` when it is not JSON or does not match. */
export function parseValid<S extends TSchema>(schema: S, text: string | Uint8Array): Static<S> | undefined {
  const value = parseJson(text)
  return isValid(schema, value) ? value : undefined
}
