import { useState } from 'react'
import { Pager } from '../../../components/pager'
import { ListState, WriteError } from '../../../components/states'
import { Time } from '../../../components/time'
import { type DeliveryFilter, useDeliveries, useDelivery, useRedeliver } from '../../../data/webhooks'

/** GitHub webhook deliveries as received: filter by event and repository, see a payload, redeliver. */
export function WebhookDeliveriesSection() {
  const [filter, setFilter] = useState<DeliveryFilter>({})
  const [draft, setDraft] = useState<DeliveryFilter>({})
  const [open, setOpen] = useState<string>()
  const deliveries = useDeliveries(filter)
  const redeliver = useRedeliver()
  return (
    <>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          setFilter({
            event: draft.event?.trim() || undefined,
            repository: draft.repository?.trim() || undefined,
          })
        }}
      >
        <label>
          Event{' '}
          <input
            name="event"
            value={draft.event ?? ''}
            onChange={(e) => setDraft({ ...draft, event: e.target.value })}
            size={14}
          />
        </label>
        <label>
          Repository{' '}
          <input
            name="delivery-repo"
            value={draft.repository ?? ''}
            onChange={(e) => setDraft({ ...draft, repository: e.target.value })}
            size={20}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <WriteError error={redeliver.error} />
      {redeliver.data ? <p role="status">Redelivered {redeliver.data.deliveryId}.</p> : null}
      <ListState
        query={deliveries}
        what="webhook deliveries"
        isEmpty={(p) => p.results.length === 0}
        empty="No deliveries match."
      >
        {(p) => (
          <>
            <ul className="rows" aria-label="Webhook deliveries">
              {p.results.map((d) => (
                <li key={d.id} className="row">
                  <div className="row-main">
                    <strong>
                      {d.event}
                      {d.action ? `.${d.action}` : ''}
                    </strong>
                    <span>{d.repository ?? '(no repository)'}</span>
                    <span className="badge">{d.status}</span>
                    <span className="muted">
                      <Time iso={d.receivedAt} />, {d.payloadBytes} bytes
                      {Number(d.redeliveries) ? `, redelivered ${d.redeliveries}×` : ''}
                    </span>
                  </div>
                  <div className="row-meta">
                    <button type="button" onClick={() => setOpen(open === d.id ? undefined : d.id)}>
                      {open === d.id ? 'Hide payload' : 'Show payload'}
                    </button>
                    <button type="button" onClick={() => redeliver.mutate(d.id)}>
                      Redeliver
                    </button>
                  </div>
                  {open === d.id ? <Payload id={d.id} /> : null}
                </li>
              ))}
            </ul>
            <Pager
              pagination={p.pagination}
              first={!filter.cursor}
              onFirst={() => setFilter({ ...filter, cursor: undefined })}
              onNext={(cursor) => setFilter({ ...filter, cursor })}
            />
          </>
        )}
      </ListState>
    </>
  )
}

function Payload({ id }: { id: string }) {
  const detail = useDelivery(id)
  return (
    <ListState query={detail} what="the payload" isEmpty={() => false} empty={null}>
      {(d) => (
        <pre className="payload" data-testid={`payload-${id}`}>
          {JSON.stringify(d.payload, null, 2)}
        </pre>
      )}
    </ListState>
  )
}
