import { useSession, useSignOut } from '../../../data/auth'

export function AccountSection() {
  const session = useSession().data
  const signOut = useSignOut()
  if (!session) return null
  return (
    <>
      <p>
        Signed in as <strong>{session.user.login}</strong>
        {session.user.name ? ` (${session.user.name})` : ''}, role <strong>{session.user.role}</strong>.
      </p>
      <p className="muted">Your scopes: {session.scopes.join(', ')}</p>
      <button
        type="button"
        onClick={() => signOut.mutate(undefined, { onSuccess: () => window.location.assign('/login') })}
      >
        Sign out of this browser
      </button>
    </>
  )
}
