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
