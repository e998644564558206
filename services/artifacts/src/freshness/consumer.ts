import { type ArtifactKind, artifactEvents } from '@bosun/contracts/artifacts'
import type { Envelope } from '@bosun/contracts/envelope'
import { type GithubWebhook, githubWebhook } from '@bosun/contracts/github'
import { consumeEvents, type EventConsumer } from '@bosun/service-kit/consumer'
import { and, eq } from 'drizzle-orm'
import { type ArtTx, announce, update } from '../artifacts/store'
import * as schema from '../db/schema'
import type { ArtifactsDeps } from '../deps'
import { pumpAfterCommit } from '../generation/service'

type Payload = {
  issue?: { number?: number; pull_request?: unknown }
  pull_request?: { number?: number }
  sender?: { login?: string }
}

/** The webhooks that change what an artifact is written from: a comment, a review, a push to the PR. */
const CHANGES: Record<string, (who: string) => string> = {
  'issue_comment.created': (who) => `New comment by ${who}`,
  'pull_request_review.submitted': (who) => `New review by ${who}`,
  'pull_request_review_comment.created': (who) => `New review comment by ${who}`,
  'pull_request.synchronize': (who) => `New commits pushed by ${who}`,
}

/**
 * Marks the artifacts of the issue or PR a webhook is about `stale` (a running generation's result will be);
 * where the workspace regenerates automatically, one regeneration is owed per change.
 */
export async function consumeFreshness(deps: ArtifactsDeps): Promise<EventConsumer[]> {
  const handler = async (tx: ArtTx, event: Envelope<GithubWebhook>) => {
    const { repository, event: name, action } = event.data
    const describe = CHANGES[`${name}.${action}`]
    const payload = event.data.payload as Payload | null
    const number = payload?.issue?.number ?? payload?.pull_request?.number
    if (!describe || !repository || !number) return
    const kind: ArtifactKind = payload?.pull_request || payload?.issue?.pull_request ? 'pr' : 'issue'
    const reason = describe(payload?.sender?.login ?? 'someone')
    const rows = await tx
      .select()
      .from(schema.artifacts)
      .where(
        and(
          eq(schema.artifacts.repoKey, repository.toLowerCase()),
          eq(schema.artifacts.kind, kind),
          eq(schema.artifacts.number, number),
        ),
      )
    let owed = false
    for (const row of rows) {
      if (row.status === 'empty') continue
      const [settings] = await tx
        .select()
        .from(schema.settings)
        .where(eq(schema.settings.workspaceId, row.workspaceId))
      const auto = settings?.autoRegenerate ?? false
      const next = await update(
        tx,
        row.id,
        row.status === 'generating'
          ? { changedWhileGenerating: true, autoPending: row.autoPending || auto }
          : { status: 'stale', statusReason: reason, autoPending: row.autoPending || auto },
      )
      await announce(tx, deps.bus, artifactEvents.stale, next, { reason })
      owed ||= auto
    }
    if (owed) pumpAfterCommit(deps)
  }
  const consumers: EventConsumer[] = []
  for (const change of Object.keys(CHANGES))
    consumers.push(
      await consumeEvents({
        bus: deps.bus,
        database: deps.database,
        logger: deps.logger,
        durable: `artifacts-stale-${change.replace('.', '-')}`,
        def: githubWebhook,
        filter: `github.${change}`,
        deliverNew: true,
        handler,
      }),
    )
  return consumers
}
