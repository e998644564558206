import type { ErrorCode } from '@bosun/contracts/errors'
import { AppError, unavailable } from '@bosun/service-kit/errors'
import type { Logger } from '@bosun/service-kit/log'
import type { Unverified, Verified } from './verify'

export type VerifyRequest = { id: number; delivery: Unverified }
export type VerifyReply =
  | { id: number; verified: Verified; error?: undefined }
  | { id: number; error: { code: ErrorCode; message: string } }

export type Verifier = { verify(d: Unverified): Promise<Verified>; close(): void }

/**
 * Verifies deliveries on a thread of their own. HMAC, JSON.parse and zstd are most of a delivery's CPU and would
 * otherwise share the one thread that serves HTTP and commits; the deliveries of one turn of the event loop go
 * over as one message and come back as one, which keeps the hand-over cheap. A thread that dies fails what it held
 * with 503 (GitHub redelivers) and is replaced.
 */
export function createVerifier(
  secrets: readonly string[],
  logger: Logger,
  /** The thread's script; tests give one that dies. */
  script: URL = new URL('./verify-worker.ts', import.meta.url),
): Verifier {
  let worker: Worker
  let nextId = 0
  let queued: VerifyRequest[] = []
  const waiting = new Map<number, { resolve(v: Verified): void; reject(err: unknown): void }>()
  let closed = false

  const failAll = (why: string) => {
    for (const w of waiting.values()) w.reject(unavailable(why))
    waiting.clear()
  }
  const spawn = () => {
    worker = new Worker(script)
    worker.unref()
    worker.onmessage = (e: MessageEvent<VerifyReply[]>) => {
      for (const reply of e.data) {
        const w = waiting.get(reply.id)
        waiting.delete(reply.id)
        if (reply.error) w?.reject(new AppError(reply.error.code, reply.error.message))
        else w?.resolve(reply.verified)
      }
    }
    worker.addEventListener('close', () => {
      if (closed) return
      logger.error('the verifier thread stopped; starting another', { pending: waiting.size })
      failAll('The verifier stopped; redeliver this one')
      spawn()
    })
  }
  spawn()

  const send = () => {
    const batch = queued
    queued = []
    // The bodies are handed over, not copied: cloning a 25 KB body cost the main thread ~20 µs, moving it ~5.
    worker.postMessage(
      { secrets, batch },
      batch.map((r) => r.delivery.raw.buffer),
    )
  }

  return {
    verify(delivery) {
      if (closed) return Promise.reject(unavailable('Shutting down'))
      return new Promise<Verified>((resolve, reject) => {
        const id = ++nextId
        waiting.set(id, { resolve, reject })
        if (queued.length === 0) setImmediate(send)
        queued.push({ id, delivery })
      })
    },
    close() {
      closed = true
      failAll('Shutting down')
      worker.terminate()
    },
  }
}
