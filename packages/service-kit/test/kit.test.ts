import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { defineEvent } from '@bosun/contracts/envelope'
import { errors } from '@bosun/contracts/errors'
import { defineRpc } from '@bosun/contracts/rpc'
import { EVENTS_STREAM } from '@bosun/contracts/subjects'
import { startNats } from '@bosun/testkit/nats'
import { tempDir, waitFor } from '@bosun/testkit/wait'
import { Type } from '@sinclair/typebox'
import { count, eq } from 'drizzle-orm'
import { Elysia, t } from 'elysia'
import { AckPolicy, DeliverPolicy, type Msg } from 'nats'
import { createServiceApp } from '../src/app'
import { type Bus, connectBus, eventHeaders, readEnvelope } from '../src/bus'
import { consumeEvents, pruneProcessed } from '../src/consumer'
import { type Database, insertAtCommit, openDatabase, statements } from '../src/db'
import { EnvError, parseEnv } from '../src/env'
import { notFound } from '../src/errors'
import { createLogger } from '../src/log'
import { enqueueEvent, type OutboxRelay, startOutboxRelay } from '../src/outbox'
import { createStreamPublisher } from '../src/stream-publisher'
import * as schema from './fixture/schema'

const logger = createLogger('kit-test', 'silent')
const noteAdded = defineEvent('test.note.added', t.Object({ id: t.String(), body: t.String() }))
const echoRpc = defineRpc(
  'kittest',
  'echo',
  t.Object({ word: t.String({ minLength: 1 }) }),
  t.Object({ echoed: t.String() }),
  'echo',
)

let nats: Awaited<ReturnType<typeof startNats>>
let dir: ReturnType<typeof tempDir>
let database: Database<typeof schema>
let bus: Bus
let relay: OutboxRelay

beforeAll(async () => {
  nats = await startNats()
  dir = tempDir()
  database = await openDatabase({
    url: `file:${join(dir.path, 'kit.db')}`,
    schema,
    migrationsFolder: join(import.meta.dir, 'fixture/drizzle'),
  })
  bus = await connectBus({ url: nats.url, name: 'kit-test', version: '0.0.0', prefix: 'bosun', logger })
  relay = startOutboxRelay({ database, bus, logger })
})

afterAll(async () => {
  await relay.stop()
  await bus.close()
  database.close()
  await nats.stop()
  dir[Symbol.dispose]()
})

const addNote = (body: string) =>
  database.write(async (tx) => {
    const id = Bun.randomUUIDv7()
    await tx.insert(schema.notes).values({ id, body, createdAt: Date.now() })
    return enqueueEvent(tx, bus, noteAdded, { id, body })
  })

describe('database', () => {
  test('refuses :memory: and asserts WAL', async () => {
    expect(openDatabase({ url: ':memory:', schema, migrationsFolder: '.' })).rejects.toThrow('file')
    const mode = await database.client.execute('PRAGMA journal_mode')
    expect(String(mode.rows[0]?.[0])).toBe('wal')
  })

  test('500 concurrent writes all commit without a busy error', async () => {
    const before = (await database.db.select({ n: count() }).from(schema.notes))[0]!.n
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => addNote(`n${i}`)))
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    const after = (await database.db.select({ n: count() }).from(schema.notes))[0]!.n
    expect(after - before).toBe(500)
  })

  test('writes arriving tick after tick among streaming reads never overlap or fail', async () => {
    // Each worker reads, then writes: writes keep arriving while a commit runs, the case where a second
    // drain used to open a second transaction (SQLITE_BUSY after the busy timeout, or TRANSACTION_ACTIVE).
    const before = (await database.db.select({ n: count() }).from(schema.notes))[0]!.n
    let next = 0
    const failures: unknown[] = []
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < 1200) {
          const i = next++
          try {
            await database.db
              .select()
              .from(schema.notes)
              .where(eq(schema.notes.id, `r${i}`))
            await addNote(`interleaved-${i}`)
          } catch (err) {
            failures.push(err)
          }
        }
      }),
    )
    expect(failures).toEqual([])
    const after = (await database.db.select({ n: count() }).from(schema.notes))[0]!.n
    expect(after - before).toBe(1200)
    // 1200 commits, each fsynced: seconds on a shared, loaded machine.
  }, 30_000)

  test('a failing job in a group commit does not undo its neighbours', async () => {
    const id = Bun.randomUUIDv7()
    const ok = database.write((tx) => tx.insert(schema.notes).values({ id, body: 'kept', createdAt: 1 }))
    const dup = database.write((tx) => tx.insert(schema.notes).values({ id, body: 'dup', createdAt: 2 }))
    await ok
    expect(dup).rejects.toThrow()
    await dup.catch(() => {})
    const rows = await database.db.select().from(schema.notes).where(eq(schema.notes.id, id))
    expect(rows.map((r) => r.body)).toEqual(['kept'])
  })
  test("a writeSoon job rides on the next write's commit, or commits alone when none comes", async () => {
    let commits = 0
    database.onCommit(() => commits++)
    const note = (id: string) => (tx: Parameters<Parameters<typeof database.write>[0]>[0]) =>
      tx.insert(schema.notes).values({ id, body: 'soon', createdAt: 3 })
    const [soon, now, alone] = [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()]
    const before = commits
    const rides = database.writeSoon(note(soon), 60_000)
    await database.write(note(now))
    await rides
    expect(commits - before).toBe(1)
    await database.writeSoon(note(alone), 1)
    expect(commits - before).toBe(2)
    const rows = await database.db.select().from(schema.notes).where(eq(schema.notes.body, 'soon'))
    expect(rows.map((r) => r.id).sort()).toEqual([soon, now, alone].sort())
  })

  test('rows inserted at commit land with their job, leave with a failing job, and never outlive a savepoint', async () => {
    const ids = Array.from({ length: 6 }, () => Bun.randomUUIDv7())
    const [kept1, kept2, failing, undone, nested, direct] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    const jobs = [
      database.write((tx) => insertAtCommit(tx, schema.notes, { id: kept1, body: 'deferred', createdAt: 1 })),
      database.write(async (tx) => {
        await insertAtCommit(tx, schema.notes, { id: failing, body: 'deferred', createdAt: 1 })
        throw new Error('this job fails')
      }),
      database.write((tx) => insertAtCommit(tx, schema.notes, { id: kept2, body: 'deferred', createdAt: 1 })),
      database.write(async (tx) => {
        await insertAtCommit(tx, schema.notes, { id: nested, body: 'deferred', createdAt: 1 })
        await tx
          .transaction(async (sp) => {
            await insertAtCommit(sp, schema.notes, { id: undone, body: 'deferred', createdAt: 1 })
            throw new Error('undo the savepoint')
          })
          .catch(() => {})
      }),
    ]
    const outcomes = await Promise.allSettled(jobs)
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    await insertAtCommit(database.db, schema.notes, { id: direct, body: 'deferred', createdAt: 1 })
    const rows = await database.db.select().from(schema.notes).where(eq(schema.notes.body, 'deferred'))
    expect(rows.map((r) => r.id).sort()).toEqual([kept1, kept2, nested, direct].sort())
  })

  test("commit listeners get the rows inserted at that commit, never a failed job's", async () => {
    const seen: string[] = []
    database.onCommit((inserted) => {
      for (const row of inserted.rows(schema.notes)) seen.push(row.id)
    })
    const [kept, failing] = [Bun.randomUUIDv7(), Bun.randomUUIDv7()]
    const outcomes = await Promise.allSettled([
      database.write((tx) => insertAtCommit(tx, schema.notes, { id: kept, body: 'listened', createdAt: 1 })),
      database.write(async (tx) => {
        await insertAtCommit(tx, schema.notes, { id: failing, body: 'listened', createdAt: 1 })
        throw new Error('this job fails')
      }),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected'])
    expect(seen).toEqual([kept])
  })

  test('plain statements run in the write they belong to, savepoints included, and roll back with it', async () => {
    const insert = (tx: object, id: string) =>
      statements(tx).execute({
        sql: 'insert into notes (id, body, created_at) values (?, ?, ?)',
        args: [id, 'plain', 1],
      })
    const [a, b] = [Bun.randomUUIDv7(), Bun.randomUUIDv7()]
    await database.write(async (tx) => {
      await insert(tx, a)
      await tx.transaction((sp) => insert(sp, b))
    })
    const rolledBack = Bun.randomUUIDv7()
    const failed = database.write(async (tx) => {
      await insert(tx, rolledBack)
      throw new Error('undo')
    })
    expect(failed).rejects.toThrow('undo')
    await failed.catch(() => {})
    const { rows } = await statements(database.db).execute({
      sql: 'select id from notes where id in (?, ?, ?) order by id',
      args: [a, b, rolledBack],
    })
    expect(rows.map((r) => r.id)).toEqual([a, b].sort())
    expect(() => statements({})).toThrow('drizzle')
  })
})

describe('outbox and consumer', () => {
  test('events committed with a write reach BOSUN_EVENTS exactly once', async () => {
    const envs = await Promise.all(Array.from({ length: 20 }, (_, i) => addNote(`e${i}`)))
    await relay.flushed()
    const info = await bus.jsm.streams.info(EVENTS_STREAM)
    expect(info.state.messages).toBeGreaterThanOrEqual(20)
    const last = await bus.jsm.streams.getMessage(EVENTS_STREAM, {
      last_by_subj: 'bosun.evt.test.note.added',
    })
    expect(envs.map((e) => e.id)).toContain(last.header.get('Nats-Msg-Id'))
    // Republishing a sent id (a crash between ack and mark) is dropped by the duplicate window.
    const again = await bus.js.publish('bosun.evt.test.note.added', JSON.stringify(envs[0]), {
      msgID: envs[0]!.id,
    })
    expect(again.duplicate).toBe(true)
  })

  test('with retainSentMs 0 a sent row is deleted on the ack, and its event is published once', async () => {
    using own = tempDir()
    const db = await openDatabase({
      url: `file:${join(own.path, 'kit-delete.db')}`,
      schema,
      migrationsFolder: join(import.meta.dir, 'fixture/drizzle'),
    })
    const deleting = startOutboxRelay({ database: db, bus, logger, retainSentMs: 0 })
    try {
      const env = await db.write((tx) =>
        enqueueEvent(tx, bus, noteAdded, { id: 'deleted-on-ack', body: 'x' }),
      )
      await deleting.flushed()
      expect(await db.db.select().from(schema.outbox)).toEqual([])
      const msg = await bus.jsm.streams.getMessage(EVENTS_STREAM, {
        last_by_subj: 'bosun.evt.test.note.added',
      })
      expect(msg.header.get('Nats-Msg-Id')).toBe(env.id)
    } finally {
      await deleting.stop()
      db.close()
    }
  })

  test('a large envelope is stored compressed and published whole', async () => {
    const body = 'a large note '.repeat(2000)
    const env = await addNote(body)
    await relay.flushed()
    const { rows } = await statements(database.db).execute({
      sql: 'select envelope, envelope_zstd from outbox where id = ?',
      args: [env.id],
    })
    expect(rows[0]?.envelope).toBe('')
    const stored = new Uint8Array(rows[0]?.envelope_zstd as ArrayBuffer)
    expect(stored.byteLength).toBeLessThan(body.length / 10)
    const msg = await bus.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'bosun.evt.test.note.added' })
    expect(msg.header.get('Nats-Msg-Id')).toBe(env.id)
    expect(msg.header.get('Content-Encoding')).toBe('zstd')
    expect(
      (readEnvelope({ data: msg.data, headers: msg.header }) as { data: { body: string } }).data.body,
    ).toBe(body)
  })

  test('a verbatim field with its zstd is published as frames that read back as the envelope', async () => {
    const field = new TextEncoder().encode(JSON.stringify('ünïcode \u00e9 '.repeat(1000)))
    const env = await database.write((tx) =>
      enqueueEvent(
        tx,
        bus,
        noteAdded,
        { id: 'framed', body: 'written from the verbatim bytes' },
        {
          verbatim: { key: 'body', json: field, zstd: Bun.zstdCompressSync(field) },
        },
      ),
    )
    await relay.flushed()
    const msg = await bus.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'bosun.evt.test.note.added' })
    expect(msg.header.get('Nats-Msg-Id')).toBe(env.id)
    expect(msg.header.get('Content-Encoding')).toBe('zstd')
    const text = new TextDecoder().decode(Bun.zstdDecompressSync(msg.data))
    expect(text).toBe(
      `${JSON.stringify({ ...env, data: { id: 'framed' } }).slice(0, -2)},"body":${new TextDecoder().decode(field)}}}`,
    )
  })

  test('rows no commit handed over (left by a crash) are found and published by the sweep', async () => {
    const left = (id: string, body: string, compressed: boolean) => {
      const json = JSON.stringify({
        id,
        type: noteAdded.type,
        source: 'kit-test',
        time: new Date().toISOString(),
        data: { id, body },
      })
      return {
        sql: 'insert into outbox (id, subject, envelope, envelope_zstd, created_at) values (?, ?, ?, ?, ?)',
        args: [
          id,
          'bosun.evt.test.note.added',
          compressed ? '' : json,
          compressed ? Bun.zstdCompressSync(json) : null,
          1,
        ],
      }
    }
    const [plain, packed] = [Bun.randomUUIDv7(), Bun.randomUUIDv7()]
    // Plain statements, not insertAtCommit: no commit listener hears of these rows, as after a restart.
    await database.write(async (tx) => {
      await statements(tx).execute(left(plain, 'left plain', false))
      await statements(tx).execute(left(packed, 'left compressed', true))
    })
    await relay.flushed()
    const { rows } = await statements(database.db).execute({
      sql: 'select id from outbox where id in (?, ?) and sent_at is null',
      args: [plain, packed],
    })
    expect(rows).toEqual([])
    const consumer = await bus.jsm.consumers.add(EVENTS_STREAM, {
      filter_subject: 'bosun.evt.test.note.added',
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.None,
    })
    const c = await bus.js.consumers.get(EVENTS_STREAM, consumer.name)
    const bodies = new Map<string, string>()
    const info = await c.info()
    for await (const m of await c.fetch({ max_messages: info.num_pending, expires: 2000 })) {
      const e = readEnvelope(m) as { id: string; data: { body: string } }
      bodies.set(e.id, e.data.body)
      if (bodies.size >= info.num_pending) break
    }
    expect(bodies.get(plain)).toBe('left plain')
    expect(bodies.get(packed)).toBe('left compressed')
  })

  test('the traceparent of the causing request travels as a header', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const env = await database.write((tx) =>
      enqueueEvent(tx, bus, noteAdded, { id: 'traced', body: 'traced' }, { traceparent }),
    )
    await relay.flushed()
    const msg = await bus.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: 'bosun.evt.test.note.added' })
    expect(msg.header.get('Nats-Msg-Id')).toBe(env.id)
    expect(msg.header.get('traceparent')).toBe(traceparent)
  })

  test('a consumer applies each event once and acks after its commit', async () => {
    const seen: string[] = []
    const consumer = await consumeEvents({
      bus,
      database,
      logger,
      durable: 'kit-test-notes',
      def: noteAdded,
      handler: async (_tx, event) => {
        seen.push(event.data.body)
      },
    })
    const env = await addNote('consumed-once')
    await relay.flushed()
    await waitFor(() => seen.includes('consumed-once'), 10_000, 'consumer')
    // The same event published again under a new Nats-Msg-Id is still applied once (idempotent by event id).
    await bus.js.publish('bosun.evt.test.note.added', JSON.stringify(env), { msgID: `${env.id}-again` })
    await bus.js.publish('bosun.evt.test.note.added', '{"not":"an envelope"}', { msgID: 'junk' })
    const marker = await addNote('after')
    await relay.flushed()
    await waitFor(() => seen.includes('after'), 10_000, 'marker')
    expect(seen.filter((b) => b === 'consumed-once')).toHaveLength(1)
    expect(marker.type).toBe('test.note.added')
    await consumer.stop()
  })

  /**
   * Runs a consumer started after the notes (and a second copy of the first) are in the stream, so they arrive
   * in one read. A handler may run again when a neighbour fails, so what it applied is counted in the database,
   * where a rollback undoes it.
   */
  const applyTogether = async (bodies: string[], failFirst?: string) => {
    const tag = Bun.randomUUIDv7()
    const envs = []
    for (const body of bodies) envs.push(await addNote(`${tag} ${body}`))
    await relay.flushed()
    await bus.js.publish('bosun.evt.test.note.added', JSON.stringify(envs[0]), {
      msgID: `${envs[0]!.id}-dup`,
    })
    let attempts = 0
    const consumer = await consumeEvents({
      bus,
      database,
      logger,
      durable: `kit-batch-${tag.slice(-8)}`,
      def: noteAdded,
      handler: async (tx, event) => {
        if (!event.data.body.startsWith(tag)) return
        if (failFirst && event.data.body.endsWith(failFirst) && attempts++ === 0)
          throw new Error('first try fails')
        await statements(tx).execute({
          sql: 'insert into notes (id, body, created_at) values (?, ?, ?)',
          args: [Bun.randomUUIDv7(), `applied ${event.data.body}`, Date.now()],
        })
      },
    })
    const applied = async () =>
      (
        await statements(database.db).execute({
          sql: "select body from notes where body like 'applied %' and body like ? order by body",
          args: [`%${tag}%`],
        })
      ).rows.map((r) => String(r.body))
    try {
      await waitFor(async () => (await applied()).length >= bodies.length, 10_000, 'every event applied')
      await Bun.sleep(200)
      return {
        applied: (await applied()).map((b) => b.slice(b.indexOf(' ', 'applied '.length) + 1)),
        attempts,
      }
    } finally {
      await consumer.stop()
    }
  }

  test('events that arrive together, a second copy among them, are applied once each', async () => {
    expect((await applyTogether(['a', 'b', 'c'])).applied).toEqual(['a', 'b', 'c'])
  })

  test('among events that arrive together a failing one holds back only itself', async () => {
    expect(await applyTogether(['a', 'b', 'poison'], 'poison')).toEqual({
      applied: ['a', 'b', 'poison'],
      attempts: 2,
    })
  })

  test('applied event ids are forgotten once the stream can no longer redeliver them', async () => {
    const ids = (durable: string) =>
      database.db
        .select({ id: schema.processedEvents.eventId })
        .from(schema.processedEvents)
        .where(eq(schema.processedEvents.consumer, durable))
    await database.write((tx) =>
      tx.insert(schema.processedEvents).values([
        { consumer: 'kit-prune', eventId: 'old', processedAt: 1_000 },
        { consumer: 'kit-prune', eventId: 'recent', processedAt: 5_000 },
        { consumer: 'kit-other', eventId: 'old', processedAt: 1_000 },
      ]),
    )
    await pruneProcessed(database, 'kit-prune', 2_000)
    expect((await ids('kit-prune')).map((r) => r.id)).toEqual(['recent'])
    expect((await ids('kit-other')).map((r) => r.id)).toEqual(['old'])
  })
})

describe('bus', () => {
  test('stream publishes are acknowledged, duplicates told apart, and a subject no stream takes refused', async () => {
    const id = Bun.randomUUIDv7()
    const first = await bus.stream.publish('bosun.evt.test.note.added', '{}', eventHeaders(id))
    const again = await bus.stream.publish('bosun.evt.test.note.added', '{}', eventHeaders(id))
    expect([first.duplicate, again.duplicate]).toEqual([false, true])
    await expect(bus.stream.publish('kittest.nostream', '{}', eventHeaders('x'))).rejects.toThrow('no stream')
  })

  test('a live subscription hands over what matches its schema, drops the rest and outlives a throwing handler', async () => {
    const seen: unknown[] = []
    const sub = bus.onLive('kittest.live.*', Type.Array(Type.Integer(), { minItems: 1 }), (v, m) => {
      if (v[0] === 13) throw new Error('a handler bug')
      seen.push([m.subject, v])
    })
    try {
      for (const raw of ['[1,2]', 'not json', '[]', '{"a":1}', '[13]']) bus.nc.publish('kittest.live.x', raw)
      bus.nc.publish('kittest.live.y', '[3]')
      await waitFor(() => seen.length === 2)
      await bus.nc.flush()
      expect(seen).toEqual([
        ['kittest.live.x', [1, 2]],
        ['kittest.live.y', [3]],
      ])
    } finally {
      sub.unsubscribe()
    }
  })

  test('a publish nobody acknowledges fails at its deadline, and a late answer changes nothing', async () => {
    // A plain subscriber takes the message (so NATS reports no missing responder) and never answers.
    const held: Msg[] = []
    const silent = bus.nc.subscribe('kittest.silent', { callback: (_, msg) => held.push(msg) })
    const publisher = createStreamPublisher(bus.nc, 150)
    try {
      const outcome = await publisher.publish('kittest.silent', '{}', eventHeaders('late')).then(
        () => 'acknowledged',
        (e: Error) => e.message,
      )
      expect(outcome).toBe('JetStream acknowledgement timed out')
      expect(held).toHaveLength(1)
      // The answer arriving after the deadline finds nobody waiting.
      held[0]!.respond(JSON.stringify({ stream: EVENTS_STREAM, seq: 1 }))
      await bus.nc.flush()
    } finally {
      publisher.close()
      silent.unsubscribe()
    }
  })

  test('closing the publisher fails what it still waits for', async () => {
    const silent = bus.nc.subscribe('kittest.silent-close', { callback: () => {} })
    const publisher = createStreamPublisher(bus.nc)
    const pending = publisher.publish('kittest.silent-close', '{}', eventHeaders('closed')).then(
      () => 'acknowledged',
      (e: Error) => e.message,
    )
    await bus.nc.flush()
    publisher.close()
    silent.unsubscribe()
    expect(await pending).toBe('the publisher is closed')
  })

  test('rpc validates both ways, maps errors and is listed by the services API', async () => {
    bus.serve(echoRpc, async ({ word }) => {
      if (word === 'missing') throw notFound('Word')
      return { echoed: word }
    })
    await waitFor(async () => {
      const r = await bus.request(echoRpc, { word: 'hi' }).catch(() => null)
      return r?.echoed === 'hi'
    })
    expect(bus.request(echoRpc, { word: 'missing' })).rejects.toMatchObject({ code: 'not_found' })
    expect(bus.request(echoRpc, { word: '' })).rejects.toMatchObject({ code: 'invalid_request' })
    const raw = await bus.nc.request('bosun.svc.kittest.echo', '{"word":5}')
    expect(raw.headers?.get('Nats-Service-Error-Code')).toBe('400')
    const infos = await bus.nc.services.client().info('bosun-kittest')
    const found: string[] = []
    for await (const i of infos) found.push(...i.endpoints.map((e) => e.subject))
    expect(found).toContain('bosun.svc.kittest.echo')
  })
})

describe('app factory', () => {
  const makeApp = () =>
    createServiceApp({
      name: 'kit',
      version: '0.0.0',
      description: 'test',
      logger,
      extensionOrigins: ['chrome-extension://abc'],
      ready: { db: () => database.ping(), nats: async () => bus.nc.isClosed() && Promise.reject() },
      maxBodyBytes: 1000,
    }).use(
      new Elysia()
        .post('/api/things', ({ body }) => ({ name: body.name }), {
          body: t.Object({ name: t.String({ minLength: 2 }) }),
          response: { 200: t.Object({ name: t.String() }), ...errors(400) },
          detail: { operationId: 'createThing' },
        })
        .get(
          '/api/raw',
          () =>
            new Response('{"raw":true}', { status: 202, headers: { 'content-type': 'application/json' } }),
          { detail: { operationId: 'raw' } },
        ),
    )
  const app = makeApp()
  const call = (path: string, init?: RequestInit) => app.handle(new Request(`http://localhost${path}`, init))

  test('every request is counted once, with the status it was answered with', async () => {
    const own = makeApp()
    const send = (path: string, init?: RequestInit) =>
      own.handle(new Request(`http://localhost${path}`, init))
    const post = (body: string, headers: Record<string, string> = {}) =>
      send('/api/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
    expect((await post('{"name":"ok"}')).status).toBe(200)
    expect((await post('{"name":"x"}')).status).toBe(400)
    expect((await post('x'.repeat(5000), { 'content-length': '5000' })).status).toBe(413)
    expect((await send('/api/raw')).status).toBe(202)
    expect((await send('/api/nope')).status).toBe(404)
    const metrics = await (await send('/metrics')).text()
    const count = (labels: string) =>
      Number(metrics.match(new RegExp(`http_requests_total\\{service="kit",${labels}\\} (\\d+)`))?.[1] ?? 0)
    expect(count('method="POST",route="/api/things",status="200"')).toBe(1)
    expect(count('method="POST",route="/api/things",status="400"')).toBe(1)
    expect(count('method="POST",route="unmatched",status="413"')).toBe(1)
    expect(count('method="GET",route="/api/raw",status="202"')).toBe(1)
    expect(count('method="GET",route="unmatched",status="404"')).toBe(1)
  })

  test('validation failures are 400 invalid_request with the failing field', async () => {
    const res = await call('/api/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: string; details: Array<{ path: string }> }
    expect(body.error).toBe('invalid_request')
    expect(body.details[0]?.path).toBe('/name')
  })

  test('unknown routes, big bodies and bad JSON use the one error shape', async () => {
    expect(await (await call('/api/nope')).json()).toMatchObject({ error: 'not_found' })
    const big = await call('/api/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '5000' },
      body: 'x'.repeat(5000),
    })
    expect(big.status).toBe(413)
    const bad = await call('/api/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    })
    expect(bad.status).toBe(400)
  })

  test('request ids, health, ready, metrics and OpenAPI', async () => {
    const res = await call('/health', { headers: { 'x-request-id': 'abc-123' } })
    expect(res.headers.get('x-request-id')).toBe('abc-123')
    expect(await (await call('/ready')).json()).toMatchObject({
      status: 'ready',
      checks: { db: true, nats: true },
    })
    await call('/api/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"ok"}',
    })
    await Bun.sleep(0)
    const metrics = await (await call('/metrics')).text()
    expect(metrics).toContain(
      'http_requests_total{service="kit",method="POST",route="/api/things",status="200"}',
    )
    expect(metrics).toContain('http_request_duration_seconds_bucket')
    const spec = (await (await call('/swagger/json')).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    expect(spec.paths['/api/things']?.post?.operationId).toBe('createThing')
  })

  test('every answer carries a request id: objects, returned Responses and errors', async () => {
    const answers = [
      await call('/api/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"ok"}',
      }),
      await call('/api/raw'),
      await call('/api/nope'),
      await call('/api/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    ]
    expect(answers.map((r) => r.status)).toEqual([200, 202, 404, 400])
    const ids = answers.map((r) => r.headers.get('x-request-id'))
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}-[0-9a-z]+$/)
    expect(new Set(ids).size).toBe(ids.length)
    const raw = await call('/api/raw', { headers: { 'x-request-id': 'given-7' } })
    expect(raw.headers.get('x-request-id')).toBe('given-7')
    expect(raw.headers.get('content-type')).toBe('application/json')
    expect(await raw.json()).toEqual({ raw: true })
  })

  test('a fast GET answers from memory when it can and leaves everything else to its route', async () => {
    const inMemory = new Map([['a', '{"thing":"a"}']])
    const own = createServiceApp({
      name: 'kit',
      version: '0.0.0',
      description: 'test',
      logger,
      extensionOrigins: ['chrome-extension://abc'],
      ready: {},
      fastGets: {
        '/api/things/:id': (request) => {
          const hit = inMemory.get(request.params.id ?? '')
          return hit === undefined
            ? undefined
            : new Response(hit, { headers: { 'content-type': 'application/json' } })
        },
      },
    }).use(new Elysia().get('/api/things/:id', ({ params }) => ({ thing: params.id, route: true })))
    own.listen({ port: 0, hostname: '127.0.0.1' })
    const get = (id: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${own.server?.port}/api/things/${id}`, { headers })
    try {
      const fast = await get('a', { 'x-request-id': 'given-9' })
      expect(await fast.json()).toEqual({ thing: 'a' })
      expect(fast.headers.get('x-request-id')).toBe('given-9')
      const routed = await get('b')
      expect(await routed.json()).toEqual({ thing: 'b', route: true })
      expect(routed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}-[0-9a-z]+$/)
      // A cross-origin read needs the route's CORS headers, so it is never answered early.
      const cors = await get('a', { origin: 'chrome-extension://abc' })
      expect(await cors.json()).toEqual({ thing: 'a', route: true })
      expect(cors.headers.get('access-control-allow-origin')).toBe('chrome-extension://abc')
      const metrics = await (await fetch(`http://127.0.0.1:${own.server?.port}/metrics`)).text()
      expect(metrics).toContain(
        'http_requests_total{service="kit",method="GET",route="/api/things/:id",status="200"} 3',
      )
    } finally {
      await own.stop()
    }
  })

  test('CORS with credentials only for the extension origin', async () => {
    const pre = (origin: string) =>
      call('/api/things', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })
    const ok = await pre('chrome-extension://abc')
    expect(ok.headers.get('access-control-allow-origin')).toBe('chrome-extension://abc')
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true')
    const evil = await pre('https://evil.example')
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example')
  })
})

describe('env', () => {
  test('a wrong value stops start naming the variable', () => {
    const schema = Type.Object({ PORT: Type.Integer({ default: 3000, minimum: 1, maximum: 65535 }) })
    expect(parseEnv(schema, {}).PORT).toBe(3000)
    expect(parseEnv(schema, { PORT: '3100' }).PORT).toBe(3100)
    expect(() => parseEnv(schema, { PORT: 'abc' })).toThrow(EnvError)
    expect(() => parseEnv(schema, { PORT: 'abc' })).toThrow(/PORT/)
  })
})

describe('OpenAPI output', () => {
  test('bodiless responses carry no content and WebSocket routes become GETs', async () => {
    const app = createServiceApp({
      name: 'spec',
      version: '0',
      description: 'd',
      logger,
      extensionOrigins: [],
      ready: {},
    }).use(
      new Elysia()
        .delete('/api/x', () => undefined, { response: { 204: t.Void({ description: 'gone' }) } })
        .ws('/api/x/live', { message() {} }),
    )
    const spec = (await (await app.handle(new Request('http://localhost/swagger/json'))).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: unknown; description: string }> }>
      >
    }
    expect(spec.paths['/api/x']?.delete?.responses['204']).toEqual({ description: 'gone' })
    expect(Object.keys(spec.paths['/api/x/live'] ?? {})).toEqual(['get'])
    expect(spec.paths['/api/x/live']?.get?.responses['101']).toBeDefined()
  })
})
