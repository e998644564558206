import type { ChangeCounts } from '@bosun/contracts/relay'
import { errorFields, type Logger } from '@bosun/service-kit/log'
import { type ReadTarget, readDiff } from '../read/read'

/**
 * Reports the worktree's line counts against its base whenever asked (after a file edit, after a turn).
 * Edits come in bursts: one count runs at a time and one more follows if asked meanwhile; an unchanged
 * count is not sent again.
 */
export function changeReporter(target: ReadTarget, send: (counts: ChangeCounts) => void, logger: Logger) {
  let running: Promise<void> | undefined
  let again = false
  let last = ''
  const count = async () => {
    do {
      again = false
      const { totals } = await readDiff(target, { countsOnly: true })
      const key = JSON.stringify(totals)
      if (key !== last) send(totals)
      last = key
    } while (again)
  }
  return (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = count()
      .catch((err) => logger.warn('counting changes failed', errorFields(err)))
      .finally(() => {
        running = undefined
      })
    return running
  }
}
