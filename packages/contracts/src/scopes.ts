import { type Static, t } from 'elysia'

export const Scope = t.Union([
  t.Literal('team_members:read'),
  t.Literal('team_members:write'),
  t.Literal('team_authors:read'),
  t.Literal('team_authors:write'),
  t.Literal('team_policies:read'),
  t.Literal('team_policies:write'),
  t.Literal('team_artifacts:read'),
  t.Literal('team_artifacts:write'),
  t.Literal('team_bundle:read'),
  t.Literal('team_bundle:write'),
  t.Literal('team_shared_creds:read'),
  t.Literal('team_shared_creds:write'),
  t.Literal('aica:read'),
  t.Literal('aica:write'),
  t.Literal('workspaces:admin'),
  t.Literal('users:admin'),
])
export type Scope = Static<typeof Scope>

export const ALL_SCOPES: readonly Scope[] = Scope.anyOf.map((s) => s.const)

export const Role = t.Union([t.Literal('viewer'), t.Literal('member'), t.Literal('admin')])
export type Role = Static<typeof Role>

const readScopes: Scope[] = [
  'team_members:read',
  'team_authors:read',
  'team_policies:read',
  'team_artifacts:read',
  'team_bundle:read',
  'aica:read',
]

/** Roles of spec 000 mapped to scopes; an admin holds every scope. */
export const roleScopes: Record<Role, readonly Scope[]> = {
  viewer: readScopes,
  member: [...readScopes, 'team_members:write', 'team_authors:write', 'team_artifacts:write', 'aica:write'],
  admin: ALL_SCOPES,
}

export function hasScopes(held: readonly string[], needed: readonly Scope[]): boolean {
  return needed.every((s) => held.includes(s))
}
