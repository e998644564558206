import { describe, expect, test } from 'bun:test'
import { schema } from '@octokit/graphql-schema'
import { buildSchema, parse, validate } from 'graphql'
import { ALL_QUERIES } from '../src/github/queries'

/** GitHub's published schema (its SDL defines two enterprise fields twice, hence assumeValidSDL). */
const github = buildSchema(schema.idl, { assumeValidSDL: true })

describe('GraphQL queries', () => {
  test.each(Object.entries(ALL_QUERIES))('%s is valid against GitHub’s published schema', (_, query) => {
    expect(validate(github, parse(query)).map((e) => e.message)).toEqual([])
  })

  test('a query GitHub would refuse is caught by the same check', () => {
    const wrong = ALL_QUERIES.PULLS_PAGE.replace('isDraft', 'isDraftt')
    expect(validate(github, parse(wrong)).length).toBeGreaterThan(0)
  })
})
