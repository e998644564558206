import { type Static, type TSchema, t } from 'elysia'
import { token } from './subjects'

/** Every message on the bus: `{ id, type, source, time, data }`. */
export function Envelope<T extends TSchema>(data: T) {
  return t.Object({
    id: t.String({ minLength: 1 }),
    type: t.String({ minLength: 1 }),
    source: t.String({ minLength: 1 }),
    time: t.String({ format: 'date-time' }),
    data,
  })
}
export type Envelope<T = unknown> = { id: string; type: string; source: string; time: string; data: T }

export type EventDef<S extends TSchema = TSchema> = {
  /** Stable event type, e.g. `workspace.member.added`; also the subject tail unless `subject` says otherwise. */
  type: string
  data: S
  envelope: ReturnType<typeof Envelope<S>>
  /** Subject tail under `<prefix>.evt.` for one event. */
  subject(data: Static<S>): string
}

/**
 * Defines an event once; publishers and consumers are typed by the definition.
 * `subject` builds the dynamic tail when it depends on the data (e.g. a GitHub event name).
 */
export function defineEvent<S extends TSchema>(
  type: string,
  data: S,
  subject?: (data: Static<S>) => string[],
): EventDef<S> {
  return {
    type,
    data,
    envelope: Envelope(data),
    subject: subject ? (d) => subject(d).map(token).join('.') : () => type,
  }
}

export type EventData<E extends EventDef> = Static<E['data']>

/**
 * A large event travels as the zstd of its JSON, marked by this header: a 25 KB webhook event costs about ten
 * times more to publish and keep in the stream than its zstd.
 */
export const EVENT_ENCODING_HEADER = 'Content-Encoding'
export const ZSTD_ENCODING = 'zstd'

/** The JSON value of an event message's data, inflated first when its encoding says so. Throws on bad data. */
export function decodeEventData(data: Uint8Array, encoding: string | undefined): unknown {
  const bytes = encoding === ZSTD_ENCODING ? Bun.zstdDecompressSync(data) : data
  return JSON.parse(new TextDecoder().decode(bytes))
}
