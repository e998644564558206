import { errorFields, type Logger } from './log'

type Listenable = {
  listen(options: { port: number; hostname: string; maxRequestBodySize: number }): unknown
  stop(): Promise<unknown>
  server: { port?: number } | null
}

/**
 * Listens, then stops gracefully on SIGTERM/SIGINT: no new connections, in-flight requests finish,
 * then `onStop` closes the bus and database.
 */
export function serve(opts: {
  app: Listenable
  port: number
  hostname: string
  logger: Logger
  maxRequestBodySize?: number
  onStop: () => Promise<void>
}) {
  opts.app.listen({
    port: opts.port,
    hostname: opts.hostname,
    maxRequestBodySize: opts.maxRequestBodySize ?? 8 * 1024 * 1024,
  })
  opts.logger.info('listening', { url: `http://${opts.hostname}:${opts.app.server?.port}` })
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    opts.logger.info('stopping', { signal })
    try {
      await opts.app.stop()
      await opts.onStop()
    } catch (err) {
      opts.logger.error('stop failed', errorFields(err))
    }
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}
