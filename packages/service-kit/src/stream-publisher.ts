import { createInbox, type MsgHdrs, type NatsConnection } from 'nats'

export type StreamPublisher = {
  /** Publishes to a JetStream subject; resolves once the stream stored it (or dropped it as a duplicate). */
  publish(subject: string, data: Uint8Array | string, headers: MsgHdrs): Promise<{ duplicate: boolean }>
  close(): void
}

type Pending = {
  subject: string
  resolve(ack: { duplicate: boolean }): void
  reject(err: Error): void
  deadline: number
}
type Ack = { stream?: string; duplicate?: boolean; error?: { code?: number; description?: string } }

/**
 * JetStream publishes with one reply subscription for all of them and one timer, instead of `js.publish`'s
 * request per message (an inbox entry, a timer, a retry loop each): measured here, 58 -> ~10 µs of CPU per
 * event, which every write of every service pays through the outbox relay.
 */
export function createStreamPublisher(
  nc: NatsConnection,
  timeoutMs = 5000,
  inboxPrefix?: string,
): StreamPublisher {
  const inbox = createInbox(inboxPrefix)
  const pending = new Map<string, Pending>()
  let next = 0

  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) return
      const token = msg.subject.slice(inbox.length + 1)
      const waiter = pending.get(token)
      if (!waiter) return
      pending.delete(token)
      // No stream takes the subject: the server answers with a 503 status and no body.
      if (msg.headers?.code === 503) return waiter.reject(new Error(`no stream stores ${waiter.subject}`))
      let ack: Ack
      try {
        ack = msg.json<Ack>()
      } catch {
        return waiter.reject(new Error('unreadable JetStream acknowledgement'))
      }
      if (ack.error || !ack.stream)
        return waiter.reject(
          new Error(`JetStream refused the message: ${ack.error?.description ?? 'no ack'}`),
        )
      waiter.resolve({ duplicate: ack.duplicate === true })
    },
  })

  const timer = setInterval(
    () => {
      const now = Date.now()
      for (const [token, waiter] of pending)
        if (waiter.deadline <= now) {
          pending.delete(token)
          waiter.reject(new Error('JetStream acknowledgement timed out'))
        }
    },
    Math.min(timeoutMs, 1000),
  )
  timer.unref()

  return {
    publish(subject, data, headers) {
      return new Promise((resolve, reject) => {
        const token = (next++).toString(36)
        pending.set(token, { subject, resolve, reject, deadline: Date.now() + timeoutMs })
        try {
          nc.publish(subject, data, { reply: `${inbox}.${token}`, headers })
        } catch (err) {
          pending.delete(token)
          reject(err as Error)
        }
      })
    },
    close() {
      clearInterval(timer)
      sub.unsubscribe()
      for (const waiter of pending.values()) waiter.reject(new Error('the publisher is closed'))
      pending.clear()
    },
  }
}
