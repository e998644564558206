import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql'

export const MAX_PAGE = 100

const argValue = (
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  name: string,
  vars: Record<string, unknown>,
) => {
  const arg = args?.find((a) => a.name.value === name)
  return arg ? valueFromASTUntyped(arg.value, vars) : undefined
}

/**
 * GitHub's GraphQL point cost: every connection is counted once per parent it can be reached from (the
 * product of the `first`/`last` of the connections above it, or the length of `ids` for `nodes`), the sum
 * divided by 100, rounded, at least 1. (docs.github.com, "Rate limits and node limits for the GraphQL API")
 */
export function queryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | undefined,
  vars: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const op = doc.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  )
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return 1
  let requests = 0
  const walk = (set: SelectionSetNode | undefined, typeName: string, multiplier: number) => {
    if (!set) return
    const type = schema.getType(typeName)
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, sel.typeCondition?.name.value ?? typeName, multiplier)
        continue
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value)
        if (f) walk(f.selectionSet, f.typeCondition.name.value, multiplier)
        continue
      }
      if (!type || !('getFields' in type)) continue
      const field = type.getFields()[sel.name.value]
      if (!field) continue
      const named = getNamedType(field.type)
      if (!isCompositeType(named)) continue
      if (named.name.endsWith('Connection')) {
        requests += multiplier
        const n = Number(
          argValue(sel.arguments, 'first', vars) ?? argValue(sel.arguments, 'last', vars) ?? MAX_PAGE,
        )
        walk(sel.selectionSet, named.name, multiplier * n)
        continue
      }
      const inner = isNonNullType(field.type) ? field.type.ofType : field.type
      const ids = argValue(sel.arguments, 'ids', vars)
      const many = isListType(inner) && Array.isArray(ids) ? ids.length : 1
      walk(sel.selectionSet, named.name, multiplier * many)
    }
  }
  const root = op.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType()
  walk(op.selectionSet, root?.name ?? 'Query', 1)
  return Math.max(1, Math.round(requests / 100))
}
