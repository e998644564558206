/** An API answer that was not a success, carrying the error shape's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

type ErrorBody = { error?: unknown; message?: unknown; details?: unknown }

/** openapi-fetch's `{ data, error, response }` to the data, or an ApiError with the server's message. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call.catch((err: unknown) => {
    throw new ApiError(0, 'network', `Could not reach Bosun (${err instanceof Error ? err.message : err})`)
  })
  if (response.ok) return data as T
  const body = (error ?? {}) as ErrorBody
  throw new ApiError(
    response.status,
    typeof body.error === 'string' ? body.error : 'internal',
    typeof body.message === 'string' ? body.message : `The server answered ${response.status}`,
    body.details,
  )
}

export const isUnauthorized = (err: unknown) => err instanceof ApiError && err.status === 401
export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err))
