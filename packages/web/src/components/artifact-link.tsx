import { Link } from '@tanstack/react-router'

const WORDS = { issue: 'Brief', pr: 'Decision log' } as const

/** From an issue or PR row to its brief or decision log. */
export function ArtifactLink(props: { kind: 'issue' | 'pr'; repo: string; number: number | string }) {
  const [owner = '', repo = ''] = props.repo.split('/')
  return (
    <Link
      className="artifact-link"
      to="/artifacts/$kind/$owner/$repo/$number"
      params={{ kind: props.kind, owner, repo, number: String(props.number) }}
      aria-label={`${WORDS[props.kind]} for ${props.repo}#${props.number}`}
    >
      {WORDS[props.kind]}
    </Link>
  )
}
