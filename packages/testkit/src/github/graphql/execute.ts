import {
  type DocumentNode,
  execute,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLTypeResolver,
  parse,
  validate,
} from 'graphql'
import type { GhIssue, GhPull } from '../state'
import type { GqlContext } from './nodes'
import { actor, findRepository, parseNodeId, repositoryNode, TypedError, threadNode } from './nodes'
import { githubSchema } from './schema'

type Source = Record<string, unknown> | null | undefined

/** Properties of the node objects answer their fields; a function property is called with the field's arguments. */
const fieldResolver: GraphQLFieldResolver<Source, GqlContext> = (source, args, ctx, info) => {
  const value = source?.[info.fieldName]
  return typeof value === 'function' ? value(args, ctx) : value
}
const typeResolver: GraphQLTypeResolver<Source, GqlContext> = (value) =>
  value?.__typename as string | undefined

function node(ctx: GqlContext, id: string) {
  const parsed = parseNodeId(id)
  if (!parsed) return null
  const [repoId, number, threadId] = parsed.key.split(':').map(Number)
  const repo = [...ctx.state.repos.values()].find((r) => r.id === repoId)
  const issue = repo?.issues.get(number ?? 0) as (GhIssue & { pull: GhPull }) | undefined
  if (!repo || !issue?.pull) return null
  try {
    findRepository(ctx, repo.owner.login, repo.name)
  } catch {
    return null
  }
  if (parsed.kind === 'PullRequestReviewThread') {
    const thread = issue.pull.threads.find((t) => t.id === threadId)
    return thread ? threadNode(ctx, repo, issue, thread) : null
  }
  return null
}

const root = {
  repository: (args: { owner: string; name: string }, ctx: GqlContext) =>
    repositoryNode(ctx, findRepository(ctx, args.owner, args.name)),
  viewer: (_: unknown, ctx: GqlContext) =>
    ctx.principal.kind === 'user' || ctx.principal.kind === 'installation'
      ? actor(ctx, ctx.principal.user)
      : null,
  rateLimit: (_: unknown, ctx: GqlContext) => ({ __typename: 'RateLimit', nodeCount: 0, ...ctx.rate }),
  node: (args: { id: string }, ctx: GqlContext) => node(ctx, args.id),
  nodes: (args: { ids: string[] }, ctx: GqlContext) => args.ids.map((id) => node(ctx, id)),
}

export type Parsed = { document: DocumentNode } | { errors: Array<{ message: string }> }

/** Parses and validates against GitHub's schema; what GitHub would refuse before running anything. */
export function prepare(query: string): Parsed {
  let document: DocumentNode
  try {
    document = parse(query)
  } catch (err) {
    return { errors: [{ message: (err as GraphQLError).message }] }
  }
  const errors = validate(githubSchema(), document)
  if (errors.length) return { errors: errors.map((e) => ({ message: e.message, locations: e.locations })) }
  return { document }
}

/** Runs a validated query over the emulator's state with graphql-js; errors carry GitHub's `type`. */
export async function run(
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  ctx: GqlContext,
) {
  const result = await execute({
    schema: githubSchema(),
    document,
    rootValue: root,
    contextValue: ctx,
    variableValues: variables,
    operationName,
    fieldResolver,
    typeResolver,
  })
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors?.length
      ? {
          errors: result.errors.map((e) => ({
            ...(e.originalError instanceof TypedError ? { type: e.originalError.type } : {}),
            message: e.message,
            path: e.path,
            locations: e.locations,
          })),
        }
      : {}),
  }
}
