import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { type Client, createClient, type InValue, type ResultSet } from '@libsql/client'
import { getTableColumns, sql } from 'drizzle-orm'
import { drizzle, type LibSQLDatabase, type LibSQLTransaction } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import type { ExtractTablesWithRelations } from 'drizzle-orm/relations'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'

export type Schema = Record<string, unknown>
export type Tx<S extends Schema> = LibSQLTransaction<S, ExtractTablesWithRelations<S>>
type Job<S extends Schema> = {
  fn: (tx: Tx<S>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

export type Database<S extends Schema> = {
  client: Client
  db: LibSQLDatabase<S>
  /**
   * The only way to write. Writes are serialized here (the libSQL pool fails concurrent transactions with
   * SQLITE_BUSY / TRANSACTION_ACTIVE); jobs queued while a commit runs share the next transaction (group
   * commit). A job may run twice when a neighbour fails (the batch is retried with a savepoint per job),
   * so a job must only touch the database through `tx`.
   */
  write<T>(fn: (tx: Tx<S>) => Promise<T>): Promise<T>
  /**
   * A write nobody is waiting on (bookkeeping such as the outbox marking rows sent): it starts no commit of its
   * own but joins the next write's, or commits alone after `withinMs` when no write comes. Saves an fsync.
   */
  writeSoon<T>(fn: (tx: Tx<S>) => Promise<T>, withinMs: number): Promise<T>
  /**
   * Called after every commit, once it is durable, with the rows `insertAtCommit` put in that commit: the outbox
   * relay publishes its rows from here, so events leave right after their commit without being read back.
   */
  onCommit(listener: (inserted: Inserted) => void): void
  /** A cheap read, for readiness. */
  ping(): Promise<void>
  close(): void
}

/** Runs one plain SQL statement with `?` placeholders on a libSQL connection or transaction. */
export type Statements = { execute(stmt: { sql: string; args: InValue[] }): Promise<ResultSet> }

/**
 * The libSQL connection behind a drizzle handle (a write's `tx`, a savepoint inside it, or `database.db`): the
 * kit keys a transaction's queued inserts by it, and tests read behind drizzle with it. It reads drizzle's
 * session, so it checks what it found and fails loudly (and the kit tests with it) if a drizzle upgrade moves it.
 */
export function statements(handle: object): Statements {
  const session = (handle as { session?: { tx?: Statements; client?: Statements } }).session
  const target = session?.tx ?? session?.client
  if (typeof target?.execute !== 'function')
    throw new Error('statements() needs a drizzle libSQL database or transaction')
  return target
}

type Insert = { table: SQLiteTable; rows: Record<string, unknown>[] }
/** The rows `insertAtCommit` put in one commit, by table, as they were given. */
export type Inserted = { rows<T extends SQLiteTable>(table: T): T['$inferInsert'][] }
/** What one transaction (or one job's savepoint) keeps until it commits: rows queued by `insertAtCommit`. */
type Deferred = {
  depth: number
  inserts: Map<SQLiteTable, Insert>
}
const deferred = new WeakMap<Statements, Deferred>()
const newDeferred = (depth: number): Deferred => ({
  depth,
  inserts: new Map(),
})

/** A write's `tx`, a savepoint in it, or `database.db`: whatever can insert, of any service's schema. */
export type Inserter = Pick<LibSQLDatabase<Schema>, 'insert'>

/** The transaction's pending work when `tx` is the handle it defers for (not a savepoint inside a job). */
const pendingFor = (tx: Inserter): Deferred | undefined => {
  const pending = deferred.get(statements(tx))
  return pending && (tx as { nestedIndex?: number }).nestedIndex === pending.depth ? pending : undefined
}

/** SQLite's limit of bound values in one statement. */
const MAX_BOUND = 32_766

/**
 * Inserts a row when the write's jobs are done, in the same transaction, as one multi-row insert for every row
 * of that table queued there: a group commit of 50 writes pays one statement (and one query build) instead of 50.
 * Only for rows nothing reads back before the commit (an outbox event, a change log entry). Outside a
 * `database.write` job (or inside a savepoint of the job's own) the row is inserted at once, so it can never
 * outlive a rollback.
 */
export async function insertAtCommit<T extends SQLiteTable>(tx: Inserter, table: T, row: T['$inferInsert']) {
  const pending = pendingFor(tx)
  if (!pending) {
    await tx.insert(table).values(row)
    return
  }
  const insert = pending.inserts.get(table) ?? { table, rows: [] }
  pending.inserts.set(table, insert)
  insert.rows.push(row)
}

/** Runs the inserts queued in this transaction (or savepoint), stops queueing, and returns what it inserted. */
async function flushAtCommit(tx: Inserter): Promise<Insert[]> {
  const run = statements(tx)
  const pending = deferred.get(run)
  deferred.delete(run)
  const inserts = [...(pending?.inserts.values() ?? [])]
  for (const { table, rows } of inserts) {
    // Every column is bound (drizzle fills a missing one with its default or null).
    const perStatement = Math.floor(MAX_BOUND / Object.keys(getTableColumns(table)).length)
    for (let at = 0; at < rows.length; at += perStatement)
      await tx.insert(table).values(rows.slice(at, at + perStatement))
  }
  return inserts
}

const inserted = (inserts: Insert[]): Inserted => ({
  rows: <T extends SQLiteTable>(table: T) =>
    inserts.flatMap((i) => (i.table === table ? i.rows : [])) as T['$inferInsert'][],
})

/** `data/<service>.db` unless a URL is given; file URLs get their folder created. */
export function databaseUrl(dataDir: string, service: string, override?: string): string {
  if (override) return override
  const file = resolve(dataDir, `${service}.db`)
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  return `file:${file}`
}

/** The file behind a `file:` URL (`file:/a/b.db`, `file:///a/b.db`, `file:rel.db?mode=…`). */
const filePath = (url: string) =>
  resolve(
    url
      .slice('file:'.length)
      .replace(/^\/\/(?=\/)/, '')
      .split('?', 1)[0]!,
  )

/**
 * A local database file and its folder are this user's alone (0600, 0700): the file holds sessions, hashed keys
 * and sealed secrets, and a world-readable copy is one backup away. SQLite gives the WAL and shared-memory files
 * the database file's mode. Files made before this are narrowed at start; folders are made 0700.
 */
function restrictFile(file: string) {
  // A folder that exists is left as it is: it may be shared (a temp folder), only files in it are ours.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600)
}

export async function openDatabase<S extends Schema>(opts: {
  url: string
  schema: S
  migrationsFolder: string
}): Promise<Database<S>> {
  if (opts.url.includes(':memory:')) throw new Error('In-memory databases are not supported; use a file')
  if (opts.url.startsWith('file:')) restrictFile(filePath(opts.url))
  // busy_timeout covers a second process on the same file; within one process writes never contend.
  const config = { url: opts.url, timeout: 5000 } as Parameters<typeof createClient>[0]
  const client = createClient(config)
  // Writes get a connection of their own, so a steady stream of reads holding the pool cannot starve them;
  // a single connection also makes any second concurrent transaction fail loudly (TRANSACTION_ACTIVE).
  const writer = createClient({ ...config, concurrency: 1 })
  if (opts.url.startsWith('file:')) await assertPragmas(client, writer)
  const db = drizzle(client, { schema: opts.schema })
  const writeDb = drizzle(writer, { schema: opts.schema })
  await migrate(writeDb, { migrationsFolder: opts.migrationsFolder })

  let queue: Job<S>[] = []
  const commitListeners: Array<(inserted: Inserted) => void> = []

  /** Runs a batch in one transaction: without savepoints first (the common case), with one per job if any fails. */
  const runBatch = async (batch: Job<S>[], isolate: boolean) => {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = []
    const inserts: Insert[] = []
    await writeDb.transaction(async (tx) => {
      const run = statements(tx)
      for (const job of batch) {
        if (!isolate) {
          deferred.set(run, deferred.get(run) ?? newDeferred(0))
          outcomes.push({ ok: true, value: await job.fn(tx) })
          continue
        }
        try {
          const value = await tx.transaction(async (sp) => {
            // Each job's queued rows go in with it, inside its savepoint, so a failing job takes only its own.
            deferred.set(run, newDeferred(1))
            const v = await job.fn(sp)
            return { v, rows: await flushAtCommit(sp) }
          })
          inserts.push(...value.rows)
          outcomes.push({ ok: true, value: value.v })
        } catch (err) {
          deferred.delete(run)
          outcomes.push({ ok: false, err })
        }
      }
      if (!isolate) inserts.push(...(await flushAtCommit(tx)))
    })
    return { outcomes, inserts }
  }

  /**
   * Commits one batch; its callers hear once it is durable: with synchronous=FULL, COMMIT returns after the WAL
   * is fsynced, so no answer and no event (the outbox publishes from `onCommit`) can come before the fsync.
   */
  const commitBatch = async (batch: Job<S>[]) => {
    let result: Awaited<ReturnType<typeof runBatch>>
    try {
      result = await runBatch(batch, false)
    } catch (first) {
      // One job failed and rolled the batch back: run it again with a savepoint per job, so only
      // the failing job fails. A lone job needs no second run.
      if (batch.length === 1) return batch[0]!.reject(first)
      try {
        result = await runBatch(batch, true)
      } catch (err) {
        for (const job of batch) job.reject(err)
        return
      }
    }
    const { outcomes, inserts } = result
    const rows = inserted(inserts)
    for (const listener of commitListeners) listener(rows)
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) job.resolve(outcome.value)
      else job.reject(outcome.err)
    })
  }

  /**
   * One transaction per turn of the event loop. The local driver runs synchronously, so a commit blocks the
   * loop: waiting for the next turn (setImmediate) lets the requests that arrived meanwhile queue their
   * writes, and they share one commit. One drain at a time, always.
   */
  let draining = false
  /** Jobs in the queue that someone awaits: only these start a commit. */
  let urgent = 0
  let soonTimer: ReturnType<typeof setTimeout> | undefined
  let soonMs = 50
  const start = () => {
    if (draining) return
    draining = true
    clearTimeout(soonTimer)
    soonTimer = undefined
    setImmediate(() => void drain())
  }
  const drain = async () => {
    const batch = queue
    queue = []
    urgent = 0
    await commitBatch(batch)
    draining = false
    if (urgent > 0) start()
    else if (queue.length > 0) soonTimer ??= setTimeout(start, soonMs)
  }

  const enqueue = <T>(fn: (tx: Tx<S>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => queue.push({ fn, resolve: resolve as (v: unknown) => void, reject }))
  const write = <T>(fn: (tx: Tx<S>) => Promise<T>) => {
    const done = enqueue(fn)
    urgent++
    start()
    return done
  }
  const writeSoon = <T>(fn: (tx: Tx<S>) => Promise<T>, withinMs: number) => {
    const done = enqueue(fn)
    soonMs = withinMs
    if (!draining) soonTimer ??= setTimeout(start, withinMs)
    return done
  }

  return {
    client,
    db,
    write,
    writeSoon,
    onCommit: (listener) => {
      commitListeners.push(listener)
    },
    ping: async () => {
      await db.run(sql`select 1`)
    },
    close: () => {
      client.close()
      writer.close()
    },
  }
}

/**
 * WAL is a property of the file; `synchronous` is per connection and SQLite's default, FULL, is what every
 * connection keeps: a commit returns once the WAL is fsynced, so an acknowledged write survives a power loss.
 * Checked at open so a changed default or build cannot weaken it unnoticed.
 */
async function assertPragmas(client: Client, writer: Client) {
  await client.execute('PRAGMA journal_mode=WAL')
  const mode = await client.execute('PRAGMA journal_mode')
  const journal = String(mode.rows[0]?.[0]).toLowerCase()
  const level = async (c: Client) => Number((await c.execute('PRAGMA synchronous')).rows[0]?.[0])
  if (journal !== 'wal') throw new Error(`journal_mode is ${journal}, expected wal`)
  for (const c of [client, writer])
    if ((await level(c)) < 2) throw new Error('synchronous is below FULL (2): commits would not be durable')
}
