import type { ReactNode } from 'react'
import { errorMessage } from '../api/errors'

/** Loading, error and empty states of a list, in one place, so every list says the same thing the same way. */
export function ListState<T>(props: {
  query: { isPending: boolean; error: unknown; data?: T }
  isEmpty: (data: T) => boolean
  empty: ReactNode
  what: string
  children: (data: T) => ReactNode
}) {
  const { query } = props
  if (query.isPending) return <Loading what={props.what} />
  if (query.error && query.data === undefined) return <ErrorNote error={query.error} what={props.what} />
  if (query.data === undefined) return null
  if (props.isEmpty(query.data)) return <p className="empty">{props.empty}</p>
  return <>{props.children(query.data)}</>
}

export const Loading = ({ what }: { what: string }) => (
  <p className="loading" aria-live="polite" aria-busy="true">
    Loading {what}…
  </p>
)

export const ErrorNote = ({ error, what }: { error: unknown; what?: string }) => (
  <p className="error" role="alert">
    {what ? `Could not load ${what}: ` : ''}
    {errorMessage(error)}
  </p>
)

/** The error of a failed write, beside its form (the form keeps what was typed). */
export const WriteError = ({ error }: { error: unknown }) =>
  error ? (
    <p className="error" role="alert">
      {errorMessage(error)}
    </p>
  ) : null
