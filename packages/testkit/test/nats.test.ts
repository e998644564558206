import { afterAll, beforeAll, expect, test } from 'bun:test'
import { natsConnectOptions } from '@bosun/contracts/nats-url'
import { connect } from 'nats'
import { type NatsServer, natsAnswers, startNats } from '../src/nats'

let nats: NatsServer
let tokenNats: NatsServer
beforeAll(async () => {
  nats = await startNats()
  tokenNats = await startNats({ auth: 'token' })
})
afterAll(async () => {
  await nats.stop()
  await tokenNats.stop()
})

test('by default each service has its own user from infra/nats/auth.conf; a wrong password is refused', async () => {
  const ops = natsConnectOptions(nats.url)
  expect(ops.user).toBe('ops')
  const runner = natsConnectOptions(nats.urlFor('runner'))
  expect(runner).toMatchObject({ user: 'runner', servers: ops.servers })
  expect(runner.pass).not.toBe(ops.pass)
  await expect(connect({ servers: ops.servers, timeout: 2000, maxReconnectAttempts: 0 })).rejects.toThrow()
  await expect(
    connect({ servers: ops.servers, user: 'runner', pass: ops.pass, timeout: 2000, maxReconnectAttempts: 0 }),
  ).rejects.toThrow()
  expect(await natsAnswers(nats.url)).toBe(true)
  expect(nats.violations()).toEqual([])
})

test('the token mode takes only authenticated connections; the URL carries the token', async () => {
  const { servers, token } = natsConnectOptions(tokenNats.url)
  expect(token).toMatch(/^[0-9a-f]{48}$/)
  expect(tokenNats.urlFor('runner')).toBe(tokenNats.url)
  await expect(connect({ servers, timeout: 2000, maxReconnectAttempts: 0 })).rejects.toThrow()
  await expect(connect({ servers, token: 'wrong', timeout: 2000, maxReconnectAttempts: 0 })).rejects.toThrow()
  expect(await natsAnswers(servers)).toBe(false)
  expect(await natsAnswers(tokenNats.url)).toBe(true)
})

test('credentials in a NATS URL become connection options', () => {
  expect(natsConnectOptions('nats://127.0.0.1:4222')).toEqual({ servers: 'nats://127.0.0.1:4222' })
  expect(natsConnectOptions('nats://s3cret@10.0.0.1:4222')).toEqual({
    servers: 'nats://10.0.0.1:4222',
    token: 's3cret',
  })
  expect(natsConnectOptions('tls://bosun:p%40ss@nats.example:4443')).toEqual({
    servers: 'tls://nats.example:4443',
    user: 'bosun',
    pass: 'p@ss',
  })
  expect(natsConnectOptions('nats://a:4222,nats://b:4222')).toEqual({
    servers: 'nats://a:4222,nats://b:4222',
  })
})
