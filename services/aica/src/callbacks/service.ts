import { splitList } from '@bosun/service-kit/env'
import { OutboundRefused, safeFetch } from '@bosun/service-kit/safe-fetch'
import { eq } from 'drizzle-orm'
import * as schema from '../db/schema'
import type { AicaDeps } from '../deps'

/**
 * POSTs a minimal payload to a thread's callback URL when it ends, through the SSRF guard, with a
 * 10 s timeout. The outcome is recorded on the thread; it never changes the thread's status.
 */
export async function fireCallback(deps: AicaDeps, threadId: string) {
  const [thread] = await deps.database.db.select().from(schema.threads).where(eq(schema.threads.id, threadId))
  if (!thread?.callbackUrl) return
  const payload = {
    threadId: thread.id,
    worktreeId: thread.worktreeId,
    workspaceId: thread.workspaceId,
    status: thread.status,
    attempt: thread.attempt,
    error: thread.error ? (JSON.parse(thread.error) as { code: string }).code : null,
    at: new Date().toISOString(),
  }
  let outcome: { state: 'sent' | 'failed'; error: string | null }
  try {
    const res = await safeFetch(thread.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'bosun-aica-callback' },
      body: JSON.stringify(payload),
      timeoutMs: 10_000,
      maxBytes: 4096,
      allowHosts: splitList(deps.env.BOSUN_OUTBOUND_ALLOW_HOSTS),
    })
    outcome =
      res.status >= 200 && res.status < 300
        ? { state: 'sent', error: null }
        : { state: 'failed', error: `HTTP ${res.status}` }
  } catch (err) {
    outcome = { state: 'failed', error: err instanceof OutboundRefused ? err.message : 'connection failed' }
  }
  await deps.database.write((tx) =>
    tx
      .update(schema.threads)
      .set({ callbackState: outcome.state, callbackError: outcome.error, callbackAt: Date.now() })
      .where(eq(schema.threads.id, threadId)),
  )
  if (outcome.state === 'failed') deps.logger.warn('callback failed', { threadId, error: outcome.error })
}
