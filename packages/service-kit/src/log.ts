const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const
export type LogLevel = keyof typeof levels

export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** Whether a level is written; hot paths ask before they build fields. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean
}

/** One JSON line per entry on stdout; never pass secrets or payloads in `fields`. */
export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  const min = levels[level]
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (levels[lvl] < min) return
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, service, msg, ...fields })
    process.stdout.write(`${line}\n`)
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    enabled: (lvl) => levels[lvl] >= min,
  }
}

export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { err: err.message, errName: err.name } : { err: String(err) }
}
