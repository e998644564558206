import { createCommitDates } from '../graphql/commits'
import { queryCost } from '../graphql/cost'
import { prepare, run } from '../graphql/execute'
import type { GqlContext } from '../graphql/nodes'
import { githubSchema } from '../graphql/schema'
import { type Ctx, json, type Router, readJson } from '../http'
import { remaining } from '../ratelimit'

const commitDates = createCommitDates()

/**
 * GitHub's GraphQL API over the emulator's state: the query is validated against GitHub's published schema and
 * run by graphql-js; it costs points as GitHub counts them, charged before it runs.
 */
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
  const body = await readJson<{ query: string; variables: Record<string, unknown>; operationName: string }>(
    ctx,
  )
  if (typeof body.query !== 'string')
    return json({ errors: [{ message: 'A query attribute must be specified and must be a string.' }] })
  const prepared = prepare(body.query)
  if ('errors' in prepared) return json({ errors: prepared.errors })
  const variables = body.variables ?? {}
  const bucket = ctx.rate
  const cost = queryCost(githubSchema(), prepared.document, body.operationName, variables)
  if (cost > remaining(bucket))
    return json({
      errors: [
        {
          type: 'RATE_LIMITED',
          message: `API rate limit exceeded for ${ctx.principal.key}. The query costs ${cost} points; ${remaining(bucket)} remain.`,
        },
      ],
    })
  bucket.used += cost
  const gctx: GqlContext = {
    state: ctx.state,
    principal: ctx.principal,
    base: ctx.base,
    rate: {
      cost,
      limit: bucket.limit,
      remaining: remaining(bucket),
      used: bucket.used,
      resetAt: new Date(bucket.reset * 1000).toISOString(),
    },
    commitDates,
    failing: (repo) => ctx.failing(repo),
  }
  return json(await run(prepared.document, variables, body.operationName, gctx))
}

export function graphqlRoutes(r: Router) {
  r.on('POST', '/graphql', graphql)
}
