import { EnvError } from './env'
import { createLogger, errorFields, type Logger, type LogLevel } from './log'

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

/** Reads the configuration; a wrong value ends the process with a message naming the variable. */
export function readEnvOrExit<E>(name: string, readEnv: () => E): E {
  try {
    return readEnv()
  } catch (err) {
    if (!(err instanceof EnvError)) throw err
    console.error(`${name}: ${err.message}`)
    process.exit(1)
  }
}

/** A service's `index.ts`: configuration, logger, start, then listen until SIGTERM/SIGINT stops it. */
export async function runService<E extends { LOG_LEVEL: LogLevel; PORT: number; HOST: string }, D>(opts: {
  name: string
  readEnv: () => E
  start: (env: E, logger: Logger) => Promise<{ deps: D; stop: () => Promise<void> }>
  app: (deps: D) => Listenable
  maxRequestBodySize?: number
}) {
  const env = readEnvOrExit(opts.name, opts.readEnv)
  const logger = createLogger(opts.name, env.LOG_LEVEL)
  const { deps, stop } = await opts.start(env, logger)
  serve({
    app: opts.app(deps),
    port: env.PORT,
    hostname: env.HOST,
    logger,
    maxRequestBodySize: opts.maxRequestBodySize,
    onStop: stop,
  })
}
