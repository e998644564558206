import type { ComponentType } from 'react'
import { GitHubSignIn } from './github-sign-in'
import { PasskeySignIn } from './passkey-sign-in'

/** The ways to sign in, in the order /login shows them; each gets where to return afterwards. */
export const SIGN_IN_METHODS: readonly { id: string; Component: ComponentType<{ next: string }> }[] = [
  { id: 'github', Component: GitHubSignIn },
  { id: 'passkey', Component: PasskeySignIn },
]
