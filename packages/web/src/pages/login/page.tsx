import { SIGN_IN_METHODS } from './methods'
import { refusalText } from './refusals'

/** Only same-origin paths are followed after sign-in; anything else returns to the dashboard. */
export const safeNext = (next: string | undefined) =>
  next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/prs'

/** `/login?next=&error=`: the sign-in methods and a refusal in words (signed-in people never get here). */
export function LoginPage(props: { next?: string; error?: string }) {
  const next = safeNext(props.next)
  return (
    <main className="login" id="main">
      <h1>Sign in to Bosun</h1>
      <p className="muted">The control room for a team that works on GitHub with AI coding agents.</p>
      {props.error ? (
        <p className="error" role="alert">
          {refusalText(props.error)}
        </p>
      ) : null}
      <div className="methods">
        {SIGN_IN_METHODS.map(({ id, Component }) => (
          <Component key={id} next={next} />
        ))}
      </div>
    </main>
  )
}
