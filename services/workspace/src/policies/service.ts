import type { Principal } from '@bosun/contracts/principal'
import { checkPolicyRemoved, checkPolicySet } from '@bosun/contracts/workspace'
import { conflict, notFound } from '@bosun/service-kit/errors'
import { and, eq } from 'drizzle-orm'
import { checkPolicies } from '../db/schema'
import type { WorkspaceDeps } from '../deps'
import { commitChange, recordChange } from '../workspaces/changes'
import { toCheckPolicy } from '../workspaces/service'

export function createCheckPolicy(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  input: { name: string; requiredChecks: string[]; repos?: string[] },
) {
  return commitChange(deps, async (tx) => {
    const where = and(eq(checkPolicies.workspaceId, workspaceId), eq(checkPolicies.name, input.name))
    if ((await tx.select().from(checkPolicies).where(where).limit(1)).length)
      throw conflict(`Check policy ${input.name} already exists`)
    const row = {
      workspaceId,
      name: input.name,
      requiredChecks: [...new Set(input.requiredChecks)],
      repos: [...new Set(input.repos ?? [])],
      by: principal.login,
      at: Date.now(),
    }
    await tx.insert(checkPolicies).values(row)
    const policy = toCheckPolicy(row)
    const live = await recordChange(tx, deps.bus, workspaceId, checkPolicySet, {
      policy,
      by: principal.login,
    })
    return { result: policy, live: [live] }
  })
}

export function removeCheckPolicy(
  deps: WorkspaceDeps,
  principal: Principal,
  workspaceId: string,
  name: string,
) {
  return commitChange(deps, async (tx) => {
    const removed = await tx
      .delete(checkPolicies)
      .where(and(eq(checkPolicies.workspaceId, workspaceId), eq(checkPolicies.name, name)))
      .returning({ name: checkPolicies.name })
    if (!removed[0]) throw notFound('Check policy')
    const live = await recordChange(tx, deps.bus, workspaceId, checkPolicyRemoved, {
      name,
      by: principal.login,
    })
    return { result: undefined, live: [live] }
  })
}
