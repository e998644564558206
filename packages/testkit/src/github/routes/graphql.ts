import { type Ctx, canSee, json, type Router, readJson } from '../http'

/** The one query Bosun sends (INTERFACES.md): review threads with their resolution state. */
export const REVIEW_THREADS_QUERY =
  'query($owner:String!,$name:String!,$number:Int!){ repository(owner:$owner,name:$name){ pullRequest(number:$number){ reviewThreads(first:100){ nodes { isResolved comments(first:100){ nodes { createdAt } } } } } } }'

// Whitespace and commas carry no meaning in GraphQL, so any spacing of the query matches.
const normalize = (q: string) => q.replace(/[\s,]+/g, '')

async function graphql(ctx: Ctx): Promise<Response> {
  if (ctx.principal.kind === 'anonymous' || ctx.principal.kind === 'app')
    return json(
      {
        message: 'This endpoint requires you to be authenticated.',
        documentation_url:
          'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
      },
      401,
    )
  const body = await readJson<{ query: string; variables: Record<string, unknown> }>(ctx)
  if (typeof body.query !== 'string' || normalize(body.query) !== normalize(REVIEW_THREADS_QUERY))
    return json({ errors: [{ message: 'The GitHub emulator answers only the review-threads query.' }] })
  const v = body.variables ?? {}
  const repo = ctx.state.repo(`${v.owner}/${v.name}`)
  if (!repo || !canSee(ctx.principal, repo))
    return json({
      data: { repository: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          message: `Could not resolve to a Repository with the name '${v.owner}/${v.name}'.`,
        },
      ],
    })
  const issue = repo.issues.get(Number(v.number))
  if (!issue?.pull)
    return json({
      data: { repository: { pullRequest: null } },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository', 'pullRequest'],
          message: `Could not resolve to a PullRequest with the number of ${v.number}.`,
        },
      ],
    })
  const nodes = issue.pull.threads.slice(0, 100).map((t) => ({
    isResolved: t.resolved,
    comments: { nodes: t.comments.slice(0, 100).map((c) => ({ createdAt: c.createdAt })) },
  }))
  return json({ data: { repository: { pullRequest: { reviewThreads: { nodes } } } } })
}

export function graphqlRoutes(r: Router) {
  r.on('POST', '/graphql', graphql)
}
