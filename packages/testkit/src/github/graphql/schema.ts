import { schema as published } from '@octokit/graphql-schema'
import { buildSchema, type GraphQLSchema } from 'graphql'

let built: GraphQLSchema | undefined

/**
 * GitHub's published GraphQL schema, built once per process. The SDL as published defines two fields twice,
 * which graphql-js refuses unless told the SDL is assumed valid; the executable schema is otherwise GitHub's.
 */
export function githubSchema(): GraphQLSchema {
  built ??= buildSchema(published.idl, { assumeValidSDL: true })
  return built
}
