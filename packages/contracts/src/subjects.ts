/** NATS naming. Stream, bucket and service names may not contain '.', so they use '_' or '-'. */
export const DEFAULT_SUBJECT_PREFIX = 'bosun'
export const EVENTS_STREAM = 'BOSUN_EVENTS'

export type Subjects = ReturnType<typeof subjects>

export function subjects(prefix: string = DEFAULT_SUBJECT_PREFIX) {
  const join = (kind: string, parts: readonly string[]) => [prefix, kind, ...parts].join('.')
  return {
    prefix,
    /** Domain events, stored in BOSUN_EVENTS. */
    evt: (...parts: string[]) => join('evt', parts),
    /** Work items in work-queue streams. */
    work: (...parts: string[]) => join('work', parts),
    /** Request/reply endpoints of a service. */
    svc: (service: string, op: string) => join('svc', [service, op]),
    /** Live fan-out to socket clients; core NATS, never stored. */
    rt: (...parts: string[]) => join('rt', parts),
    /** Every event subject, for the stream definition. */
    allEvents: () => `${prefix}.evt.>`,
  }
}

/** A subject token must not contain separators or wildcards; ids and names are made safe here. */
export function token(value: string): string {
  return value.replace(/[.\s*>]/g, '_') || '_'
}
