/**
 * The verifier's thread: checks signatures, parses and compresses the deliveries the main thread hands over in
 * batches, and answers each batch with one message whose buffers are transferred, not copied.
 */
import { AppError } from '@bosun/service-kit/errors'
import type { VerifyReply, VerifyRequest } from './verifier'
import { ownsBuffer, verifyDelivery } from './verify'

declare const self: Worker

self.onmessage = (e: MessageEvent<{ secrets: string[]; batch: VerifyRequest[] }>) => {
  const { secrets, batch } = e.data
  const replies: VerifyReply[] = []
  const transfer: ArrayBuffer[] = []
  for (const { id, delivery } of batch) {
    try {
      const verified = verifyDelivery(secrets, delivery)
      replies.push({ id, verified })
      for (const view of [verified.json, verified.zstd]) if (ownsBuffer(view)) transfer.push(view.buffer)
    } catch (err) {
      replies.push({
        id,
        error:
          err instanceof AppError
            ? { code: err.code, message: err.message }
            : { code: 'internal', message: String(err) },
      })
    }
  }
  self.postMessage(replies, transfer)
}
