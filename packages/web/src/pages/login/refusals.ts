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
