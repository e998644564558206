import { createAicaClient } from '@bosun/clients/aica'
import { createArtifactsClient } from '@bosun/clients/artifacts'
import { createAuthClient } from '@bosun/clients/auth'
import { createDashboardClient } from '@bosun/clients/dashboard'
import { createWebhooksClient } from '@bosun/clients/webhooks'
import { createWorkspaceClient } from '@bosun/clients/workspace'

/** The generated clients, on the page's own origin with its session cookie: the only way the app calls the API. */
const options = { baseUrl: globalThis.location?.origin ?? '', credentials: 'include' as const }

export const auth = createAuthClient(options)
export const workspace = createWorkspaceClient(options)
export const dashboard = createDashboardClient(options)
export const aica = createAicaClient(options)
export const artifacts = createArtifactsClient(options)
export const webhooks = createWebhooksClient(options)
