import { ApiError, errorMessage } from '../../api/errors'

/** The sign-in refusals auth sends back as `/login?error=<code>`, in words. */
const REFUSALS: Record<string, string> = {
  not_invited:
    'This GitHub account is not invited to Bosun. Ask an admin to invite you or add you to a workspace, then try again.',
  state_mismatch: 'The sign-in expired or was started in another tab. Please start again from this page.',
  github_failed: 'GitHub did not confirm the sign-in. Please try again in a moment.',
  no_code: 'GitHub did not complete the sign-in. Please try again.',
  access_denied: 'You declined the GitHub authorization, so Bosun could not sign you in.',
}

export const refusalText = (code: string) =>
  REFUSALS[code] ?? `Sign-in was refused (${code}). Please try again or ask an admin.`

/** Why auth refused a passkey sign-in (its `details.reason`), in words. */
const PASSKEY_REFUSALS: Record<string, string> = {
  challenge_invalid: 'That sign-in took too long or was already used. Please try again.',
  unknown_credential:
    'Bosun does not know this passkey (it may have been removed). Sign in with GitHub and add it again in Settings.',
  not_invited: 'This account no longer has access to Bosun. Ask an admin to invite you again.',
  verification_failed:
    'The passkey’s answer could not be verified, so you were not signed in. Please try again.',
}

export function passkeyRefusalText(err: unknown): string {
  const reason =
    err instanceof ApiError ? (err.details as { reason?: unknown } | undefined)?.reason : undefined
  return (typeof reason === 'string' && PASSKEY_REFUSALS[reason]) || errorMessage(err)
}
