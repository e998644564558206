import { githubSignInUrl } from '../../data/auth'

export function GitHubSignIn({ next }: { next: string }) {
  return (
    <a className="button primary" href={githubSignInUrl(next)}>
      Sign in with GitHub
    </a>
  )
}
