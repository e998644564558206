import { ListState } from '../../components/states'
import { Time } from '../../components/time'
import { useThread } from '../../data/aica'

/** `/agent-sessions/:id`: what the thread is and where it stands, until the live session screen replaces it. */
export function AgentSessionPage({ id }: { id: string }) {
  const thread = useThread(id)
  return (
    <section aria-labelledby="session-title">
      <h1 id="session-title">Agent session</h1>
      <ListState query={thread} what="the session" isEmpty={() => false} empty={null}>
        {(t) => (
          <dl className="facts">
            <dt>Status</dt>
            <dd>{t.thread.status}</dd>
            <dt>Prompt</dt>
            <dd className="prompt">{t.thread.prompt}</dd>
            <dt>Repository</dt>
            <dd>
              {t.thread.repo} at {t.thread.ref}
            </dd>
            <dt>Started</dt>
            <dd>
              <Time iso={t.thread.createdAt} /> by {t.thread.userLogin}
            </dd>
            <dt>Items so far</dt>
            <dd>{t.items.length}</dd>
          </dl>
        )}
      </ListState>
    </section>
  )
}
