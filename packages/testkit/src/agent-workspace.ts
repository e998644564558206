/**
 * The workspace an end-to-end agent test dispatches into, made with the stack's bootstrap key: the repository as
 * the default for agents, the scripted model as the team's shared provider and, when asked, auto-dispatch from
 * anyone's issues (the attacker of the sandbox tests). Each test file names its own workspace, so files that run
 * side by side never share one. A refused step throws with the service's answer.
 */
import type { Stack } from './stack'

export type AgentWorkspace = {
  id: string
  name: string
  repo: string
  model: { url: string; apiKey: string }
  autoTriggerFromAnyone?: boolean
}

export async function seedAgentWorkspace(stack: Stack, ws: AgentWorkspace): Promise<void> {
  const send = async (
    service: 'workspace' | 'aica',
    method: string,
    path: string,
    body: unknown,
    status: number,
  ) => {
    const res = await fetch(`${stack.services[service]!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.bootstrapKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  }
  await send('workspace', 'POST', '/api/workspaces', { id: ws.id, name: ws.name }, 201)
  await send(
    'workspace',
    'POST',
    `/api/workspaces/${ws.id}/repositories`,
    { fullName: ws.repo, isDefaultForAgents: true },
    201,
  )
  if (ws.autoTriggerFromAnyone)
    await send(
      'aica',
      'POST',
      '/api/auto-trigger-repos',
      { workspace: ws.id, repo: ws.repo, triggerFrom: 'anyone' },
      201,
    )
  await send(
    'aica',
    'PUT',
    '/api/team-shared-creds',
    { workspace: ws.id, kind: 'openai-compatible', apiKey: ws.model.apiKey, baseURL: ws.model.url },
    200,
  )
}
