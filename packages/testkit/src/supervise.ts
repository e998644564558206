import type { ServiceProcess } from './launcher'

export type Supervisor = { stop(): void }

/**
 * Restarts a service whose process exits while the supervisor runs, after a backoff that doubles with each exit
 * in a row (reset once the service stayed up `stableMs`), and says so on `log`. The dev command runs every
 * service under it: a crashed webhooks service would otherwise refuse every delivery until someone noticed.
 */
export function supervise(
  services: readonly ServiceProcess[],
  opts: { log: (line: string) => void; minBackoffMs?: number; maxBackoffMs?: number; stableMs?: number },
): Supervisor {
  const min = opts.minBackoffMs ?? 500
  const max = opts.maxBackoffMs ?? 30_000
  const stableMs = opts.stableMs ?? 60_000
  let stopped = false
  const wake = new Set<() => void>()
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        wake.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      wake.add(done)
    })

  const watch = async (service: ServiceProcess) => {
    let inARow = 0
    while (!stopped) {
      const upSince = Date.now()
      const code = await service.exited()
      if (stopped) return
      if (Date.now() - upSince >= stableMs) inARow = 0
      const delay = Math.min(max, min * 2 ** inARow)
      inARow++
      opts.log(`${service.name} exited (code ${code}); restarting in ${delay} ms (exit ${inARow} in a row)`)
      await pause(delay)
      if (stopped) return
      try {
        await service.start()
        opts.log(`${service.name} restarted (pid ${service.pid()})`)
      } catch (err) {
        opts.log(`${service.name} did not come back: ${(err as Error).message.split('\n', 1)[0]}`)
      }
    }
  }
  for (const service of services) void watch(service)
  return {
    stop() {
      stopped = true
      for (const done of wake) done()
    },
  }
}
