import { type ErrorCode, errorStatus } from '@bosun/contracts/errors'

/** A domain error: knows its code, not its transport. HTTP and NATS adapters map it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }

  get status(): number {
    return errorStatus[this.code]
  }

  toBody() {
    return this.details === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, details: this.details }
  }
}

export const invalid = (message: string, details?: unknown) =>
  new AppError('invalid_request', message, details)
export const unauthorized = (message = 'Sign in first') => new AppError('unauthorized', message)
export const forbidden = (message: string) => new AppError('forbidden', message)
export const notFound = (what: string) => new AppError('not_found', `${what} not found`)
export const conflict = (message: string) => new AppError('conflict', message)
export const unavailable = (message: string) => new AppError('unavailable', message)

/** Get-or-throw: the one place a missing row becomes a 404. */
export function found<T>(row: T | undefined | null, what: string): T {
  if (row === undefined || row === null) throw notFound(what)
  return row
}
