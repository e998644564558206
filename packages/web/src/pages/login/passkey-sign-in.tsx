import { passkeysSupported, useSignInWithPasskey } from '../../data/passkeys'
import { passkeyRefusalText } from './refusals'

/** "Sign in with a passkey": the browser offers this site's passkeys; a refusal is put in words below. */
export function PasskeySignIn({ next }: { next: string }) {
  const signIn = useSignInWithPasskey()
  if (!passkeysSupported()) return null
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={signIn.isPending}
        onClick={() => signIn.mutate(next, { onSuccess: (done) => window.location.assign(done.next) })}
      >
        Sign in with a passkey
      </button>
      {signIn.error ? (
        <p className="error" role="alert">
          {passkeyRefusalText(signIn.error)}
        </p>
      ) : null}
    </>
  )
}
