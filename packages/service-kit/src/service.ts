import { type AuthGuard, createAuthGuard } from './auth-guard'
import { guardOptions } from './browser-origin'
import { type Bus, connectBus } from './bus'
import { type Database, databaseUrl, openDatabase, type Schema } from './db'
import type { Logger } from './log'
import { type OutboxRelay, startOutboxRelay } from './outbox'

/** The configuration `openService` reads; every service's env schema has these (from `commonEnv`). */
export type ServiceEnv = {
  NATS_URL: string
  BOSUN_DATA_DIR: string
  BOSUN_SUBJECT_PREFIX: string
  DATABASE_URL?: string
  BOSUN_PUBLIC_URL: string
  BOSUN_EXTENSION_ORIGINS: string
  BOSUN_RATE_FAILED_KEY_LOOKUPS: number
}

type OutboxOptions = false | { retainSentMs?: number }

export type ServiceCore<S extends Schema, O extends OutboxOptions> = {
  database: Database<S>
  bus: Bus
  guard: AuthGuard
  /** Absent for a service that publishes no events. */
  relay: O extends false ? undefined : OutboxRelay
  /** Stops the relay, then the bus, then the database: call it after the service's own parts stopped. */
  close(): Promise<void>
}

/**
 * What every service with a database opens at start, in this order: its database (migrated), the bus, the
 * outbox relay and the auth guard.
 */
export async function openService<S extends Schema, O extends OutboxOptions>(opts: {
  name: string
  version: string
  env: ServiceEnv
  logger: Logger
  schema: S
  migrationsFolder: string
  /** The outbox relay's options, or false for a service that publishes no events. */
  outbox: O
}): Promise<ServiceCore<S, O>> {
  const { env, logger } = opts
  const database = await openDatabase({
    url: databaseUrl(env.BOSUN_DATA_DIR, opts.name, env.DATABASE_URL),
    schema: opts.schema,
    migrationsFolder: opts.migrationsFolder,
  })
  const bus = await connectBus({
    url: env.NATS_URL,
    name: opts.name,
    version: opts.version,
    prefix: env.BOSUN_SUBJECT_PREFIX,
    logger,
  })
  const relay = opts.outbox ? startOutboxRelay({ database, bus, logger, ...opts.outbox }) : undefined
  return {
    database,
    bus,
    guard: createAuthGuard(bus, guardOptions(env)),
    relay: relay as ServiceCore<S, O>['relay'],
    async close() {
      await relay?.stop()
      await bus.close()
      database.close()
    },
  }
}
